import { ErrorEvent, errorEvent } from './frames';
import { cleanText, codePointLength } from './sanitize';

/** Text with nothing a reader could see: spaces and format characters such as U+200B. */
const INVISIBLE_ONLY = /^[\s\p{Cf}]*$/u;

/**
 * Prepares what a user typed to be sent, the same way for every command and both wire modes: the text
 * is cleaned of control and bidi characters, blank text is `null` (nothing to send), and over-long
 * text is an error.
 */
export function cleanMessage(raw: string, maxMessageLength: number): string | ErrorEvent | null {
  const text = cleanText(raw);
  if (INVISIBLE_ONLY.test(text)) return null;
  const length = codePointLength(text);
  if (length > maxMessageLength) {
    return errorEvent(
      'message_too_long',
      `message too long: the limit is ${maxMessageLength} characters (yours has ${length}); it was not sent`,
    );
  }
  return text;
}
