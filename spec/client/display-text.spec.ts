import fc from 'fast-check';
import { displayText, escapeTags, isUnsafeCharacter } from '../../src/client/display-text';

/** Everything a terminal could act on: C0, DEL, C1 and the line and paragraph separators. */
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('displayText', () => {
  it('shows escape sequences as visible text instead of passing ESC to the terminal', () => {
    expect(displayText('\u001b[31mred\u001b[0m')).toBe('␛[31mred␛[0m');
    expect(displayText('\u001b]0;pwned\u0007')).toBe('␛]0;pwned␇');
    expect(displayText('\u001b[2J\u001b[H')).toBe('␛[2J␛[H');
  });

  it('turns every kind of line break into one visible symbol, so a message cannot fake a second line', () => {
    expect(displayText('one\rtwo')).toBe('one⏎two');
    expect(displayText('one\ntwo')).toBe('one⏎two');
    expect(displayText('one\r\ntwo')).toBe('one⏎two');
    expect(displayText('one\u2028two\u2029three\u0085four')).toBe('one⏎two⏎three⏎four');
    expect(displayText('overwrite\rbob: fake')).not.toMatch(/\r/);
  });

  it('shows other C0 controls and DEL as control pictures, and a tab as a space', () => {
    expect(displayText('a\u0000b\u0008c\u007fd\te')).toBe('a␀b␈c␡d e');
  });

  it('replaces C1 controls, which some terminals read as 8-bit escape sequences', () => {
    expect(displayText('a\u009b31mb\u0090c')).toBe('a�31mb�c');
  });

  it('removes bidi controls, so text shows in the order it was written', () => {
    expect(displayText('abc\u202edcba\u202c \u2066x\u2069 \u200fy')).toBe('abcdcba x y');
  });

  it('replaces unpaired surrogates and keeps real emoji and wide characters', () => {
    expect(displayText('a\ud800b')).toBe('a\ufffdb');
    expect(displayText('héllo 世界 😀 👩‍💻')).toBe('héllo 世界 😀 👩‍💻');
  });

  it('never lets a control or bidi character through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = displayText(text);
        expect(shown).not.toMatch(TERMINAL_CONTROLS);
        expect(shown).not.toMatch(BIDI_CONTROLS);
        expect(shown.isWellFormed()).toBe(true);
      }),
    );
  });
});

describe('escapeTags', () => {
  it('escapes blessed tags so they show as typed', () => {
    expect(escapeTags('{red-fg}x{/red-fg}')).toBe('{open}red-fg{close}x{open}/red-fg{close}');
  });
});

describe('isUnsafeCharacter', () => {
  it('refuses controls, bidi controls and lone surrogates, and accepts printable characters', () => {
    for (const ch of ['\u001b', '\r', '\u009b', '\u202e', '\ud83d']) expect(isUnsafeCharacter(ch)).toBe(true);
    for (const ch of ['a', ' ', 'é', '世', '😀', '{']) expect(isUnsafeCharacter(ch)).toBe(false);
  });
});
