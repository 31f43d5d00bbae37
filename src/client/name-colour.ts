import { nameKey } from '../protocol/sanitize';

/**
 * Colours names are drawn in, as blessed colour names. Red is left out (it marks errors), and so is
 * light red, which 8-colour terminals show as red; so are grey (notices), black and white (invisible
 * on one background or the other).
 */
export const NAME_COLOURS = [
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'light-green',
  'light-yellow',
  'light-blue',
  'light-magenta',
  'light-cyan',
] as const;

export type NameColour = (typeof NAME_COLOURS)[number];

/**
 * The colour of a name: the same on every run and every machine, because it comes from a hash of the
 * name (its case-insensitive key, so `Alice` and `alice`, who are one user to the server, share it)
 * and not from the order people happened to join in.
 */
export function nameColour(name: string): NameColour {
  // FNV-1a, 32 bits: tiny, and spreads similar names (bob1, bob2) over different colours.
  let hash = 0x811c9dc5;
  for (const ch of nameKey(name)) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NAME_COLOURS[hash % NAME_COLOURS.length];
}
