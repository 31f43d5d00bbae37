import type { ChatEvent } from './chat-client';

/**
 * Making text from the network safe to put on a terminal.
 *
 * The server already cleans what it relays (src/protocol/sanitize.ts), but the client cannot count on
 * that: the server may be old, modified or hostile. So everything remote goes through `displayText`
 * before it reaches the screen. Where the server *removes* control characters, the client *shows*
 * them, so a person can see that something odd was sent instead of having it silently vanish.
 */

/** Line breaks: one `\r\n` is one break, shown as a single symbol so a message stays on one line. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/g;

/** Shown in place of a line break inside a message. */
const LINE_BREAK_SYMBOL = '\u23CE'; // ⏎

/** C0 controls (tab, CR and LF are handled first) and DEL. */
const C0_AND_DEL = /[\u0000-\u001f\u007f]/g;

/** C1 controls: some terminals act on them as 8-bit escape sequences (0x9B is CSI). */
const C1 = /[\u0080-\u009f]/g;

/** Shown in place of a C1 control: there is no Unicode picture for them. */
const C1_SYMBOL = '\uFFFD'; // �

/**
 * Bidi embeddings, overrides, isolates and marks: they reorder how text around them is displayed
 * ("Trojan Source"), so a line could show something other than what was written. They are dropped:
 * they are invisible anyway, and plain right-to-left text displays correctly without them.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Returns `text` as plain, single-line, inert text:
 * - line breaks (`\r`, `\n`, `\r\n`, NEL, LS, PS) become `⏎`, so no message can fake another line;
 * - tabs become a space; other C0 controls and DEL become their Unicode control pictures
 *   (ESC shows as `␛`), so no escape sequence can reach the terminal;
 * - C1 controls become `�`; bidi controls are removed; unpaired surrogates become `�`.
 *
 * It does not escape blessed tags: see `escapeTags`, which the view applies to every piece of text.
 */
export function displayText(text: string): string {
  return text
    .toWellFormed()
    .replace(LINE_BREAK, LINE_BREAK_SYMBOL)
    .replace(/\t/g, ' ')
    .replace(C0_AND_DEL, controlPicture)
    .replace(C1, C1_SYMBOL)
    .replace(BIDI_CONTROLS, '');
}

/** U+2400 CONTROL PICTURES has one symbol per C0 control, in order, and U+2421 for DEL. */
function controlPicture(ch: string): string {
  const code = ch.charCodeAt(0);
  return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
}

/** True when `ch` would be changed by `displayText`: used to refuse such characters in typed input. */
export function isUnsafeCharacter(ch: string): boolean {
  return /^(?:[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff])$/.test(ch);
}

/**
 * Escapes blessed's tag syntax, exactly as `blessed.escape` does, so that `{red-fg}` in a message is
 * shown as typed rather than turning the rest of the line red. Kept here so the view model can build
 * tagged lines without depending on blessed.
 */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (ch) => (ch === '{' ? '{open}' : '{close}'));
}

/**
 * The event with every piece of text in it made inert with `displayText`: names, rooms, messages,
 * server notices, help. For printing events through the text codec (line mode, notices in the UI).
 */
export function inertEvent(event: ChatEvent): ChatEvent {
  const t = displayText;
  switch (event.type) {
    case 'welcome':
      return { ...event, name: t(event.name), room: t(event.room), users: event.users.map(t), ...(event.motd === undefined ? {} : { motd: t(event.motd) }) };
    case 'entered':
      return { ...event, room: t(event.room), users: event.users.map(t) };
    case 'parted':
      return { ...event, room: t(event.room), current: event.current === null ? null : t(event.current) };
    case 'joined':
      return { ...event, room: t(event.room), name: t(event.name) };
    case 'left':
      return { ...event, name: t(event.name), ...(event.room === undefined ? {} : { room: t(event.room) }) };
    case 'message':
      return { ...event, room: t(event.room), from: t(event.from), text: t(event.text) };
    case 'private':
      return { ...event, from: t(event.from), to: t(event.to), text: t(event.text) };
    case 'nick':
      return { ...event, old: t(event.old), name: t(event.name) };
    case 'rooms':
      return { ...event, rooms: event.rooms.map((room) => ({ ...room, room: t(room.room) })) };
    case 'names':
      return { ...event, room: t(event.room), users: event.users.map(t) };
    case 'help':
      return { ...event, commands: event.commands.map((c) => ({ command: t(c.command), args: t(c.args), help: t(c.help) })) };
    case 'error':
    case 'bye':
    case 'status':
      return { ...event, message: t(event.message) };
    case 'gap':
      return event;
  }
}
