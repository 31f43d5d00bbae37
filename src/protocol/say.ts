import { ErrorEvent, errorEvent } from './frames';
import { cleanText, codePointLength } from './sanitize';

/** Text that cleaning would leave as it is: printable ASCII, space to tilde, no tabs or controls. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Text with nothing a reader could see: spaces and format characters such as U+200B. */
const INVISIBLE_ONLY = /^[\s\p{Cf}]*$/u;

/**
 * Prepares what a user typed to be sent, the same way for every command and both wire modes: the text
 * is cleaned of control and bidi characters, blank text is `null` (nothing to send), and over-long
 * text is an error.
 */
export function cleanMessage(raw: string, maxMessageLength: number): string | ErrorEvent | null {
  // Most chat is plain printable ASCII: nothing to clean, and one code point per character.
  const plain = PRINTABLE_ASCII.test(raw);
  const text = plain ? raw : cleanText(raw);
  if (plain ? text.trim() === '' : INVISIBLE_ONLY.test(text)) return null;
  const length = plain ? text.length : codePointLength(text);
  if (length > maxMessageLength) {
    return errorEvent(
      'message_too_long',
      `message too long: the limit is ${maxMessageLength} characters (yours has ${length}); it was not sent`,
    );
  }
  return text;
}
