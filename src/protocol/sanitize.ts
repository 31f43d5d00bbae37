import { MAX_NAME_LENGTH } from './limits';

/**
 * Characters that must never reach another user's terminal: C0 controls (tab is handled apart), DEL,
 * C1 controls, and the bidi embedding/override/isolate/mark characters that can make text display in
 * an order other than the one it was written in.
 */
const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Letters, digits (any script), `_`, `-` and `.`: nothing invisible, nothing that spaces or joins. */
const NAME_PATTERN = /^[\p{L}\p{N}_.-]+$/u;

/**
 * Makes user text safe to relay: tabs become spaces, control and bidi characters are removed, and
 * unpaired surrogates (possible through JSON `\ud800` escapes) become U+FFFD.
 */
export function cleanText(text: string): string {
  return text.toWellFormed().replace(/\t/g, ' ').replace(UNSAFE_CHARACTERS, '');
}

/**
 * Number of Unicode code points, which is what limits are counted in: UTF-16 units, less one for each
 * surrogate pair (a lone surrogate counts as one, as the string iterator counts it).
 */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length -= 1;
        i += 1;
      }
    }
  }
  return length;
}

export type NameCheck =
  | { readonly ok: true; readonly name: string; readonly key: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates a requested name. `name` is the NFC form that everybody will see; `key` is the form
 * that uniqueness is decided on, so that `Alice` and `alice` cannot both be online.
 */
export function checkName(requested: string): NameCheck {
  const name = requested.normalize('NFC');
  if (name.length === 0) return { ok: false, reason: 'a name must not be empty' };
  const length = codePointLength(name);
  if (length > MAX_NAME_LENGTH) {
    return { ok: false, reason: `a name must be at most ${MAX_NAME_LENGTH} characters (this one has ${length})` };
  }
  if (!NAME_PATTERN.test(name)) {
    return { ok: false, reason: 'a name may contain only letters, digits, "_", "-" and "." (no spaces or symbols)' };
  }
  return { ok: true, name, key: nameKey(name) };
}

/** Orders names the same on every machine, whatever its locale: Unicode's root collation, ignoring case. */
const NAME_ORDER = new Intl.Collator('und', { sensitivity: 'base' });

/** The order user lists are sorted in, by the server and the client alike. */
export function compareNames(a: string, b: string): number {
  return NAME_ORDER.compare(a, b);
}

/** The case-insensitive identity of a valid name. */
export function nameKey(name: string): string {
  // Lower-casing alone is not case-insensitive: 'ΑΣ' lower-cases to 'ας' (final sigma) but 'ασ' to 'ασ',
  // 'ß' stays 'ß' while its capital is 'SS', 'ſ' and 'ı' stay apart from 's' and 'i'. Going through
  // the upper case (which JavaScript has in full, unlike Unicode case folding) merges all of these.
  return name.toLowerCase().toUpperCase().toLowerCase().normalize('NFC');
}

/** Makes a rejected name printable in an error message without letting it control the terminal. */
export function quoteForError(text: string, maxLength = 40): string {
  const clean = cleanText(text);
  const cut = codePointLength(clean) > maxLength ? `${Array.from(clean).slice(0, maxLength).join('')}…` : clean;
  return JSON.stringify(cut);
}

export type RoomCheck =
  | { readonly ok: true; readonly room: string; readonly key: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates a room name, given with or without its `#`: the part after `#` follows the same rules as a
 * user name. `room` is the display form (`#dev`), `key` its case-insensitive identity.
 */
export function checkRoomName(requested: string): RoomCheck {
  const bare = requested.startsWith('#') ? requested.slice(1) : requested;
  const check = checkName(bare);
  if (!check.ok) return { ok: false, reason: check.reason.replace(/^a name/, 'a room name') };
  return { ok: true, room: `#${check.name}`, key: `#${check.key}` };
}
