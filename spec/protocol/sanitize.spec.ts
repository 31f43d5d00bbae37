import fc from 'fast-check';
import { MAX_NAME_LENGTH } from '../../src/protocol/limits';
import { checkName, cleanText, codePointLength, nameKey, quoteForError } from '../../src/protocol/sanitize';

const BIDI_CONTROLS = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

/** Every character a message must never carry to another user's terminal. */
const UNSAFE: string[] = [
  ...Array.from({ length: 0x20 }, (_, code) => code)
    .filter((code) => code !== 0x09)
    .map((code) => String.fromCharCode(code)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
  ...BIDI_CONTROLS,
];

function keyOf(name: string): string {
  const check = checkName(name);
  if (!check.ok) throw new Error(`expected ${JSON.stringify(name)} to be valid: ${check.reason}`);
  return check.key;
}

describe('checkName', () => {
  it.each(['alice', 'Al_ice-1.2', 'a', 'Zoë', 'Ωμέγα', '名前', 'Łódź', '١٢٣', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'accepts %j',
    (name) => {
      expect(checkName(name)).toEqual({ ok: true, name, key: expect.any(String) });
    },
  );

  it(`accepts ${MAX_NAME_LENGTH} code points and rejects ${MAX_NAME_LENGTH + 1}`, () => {
    expect(checkName('a'.repeat(MAX_NAME_LENGTH)).ok).toBe(true);
    expect(checkName('a'.repeat(MAX_NAME_LENGTH + 1))).toEqual({ ok: false, reason: expect.stringContaining(`${MAX_NAME_LENGTH}`) });
  });

  it('counts code points, not UTF-16 units: astral letters count once', () => {
    const bold = '\u{1d400}'; // MATHEMATICAL BOLD CAPITAL A, a letter outside the BMP
    expect(checkName(bold.repeat(MAX_NAME_LENGTH)).ok).toBe(true);
    expect(checkName(bold.repeat(MAX_NAME_LENGTH + 1)).ok).toBe(false);
  });

  it('counts the length after NFC normalization', () => {
    // 'e' + COMBINING ACUTE is two code points before NFC and one after.
    const decomposed = 'e\u0301'.repeat(MAX_NAME_LENGTH);
    expect(checkName(decomposed)).toEqual({ ok: true, name: 'é'.repeat(MAX_NAME_LENGTH), key: expect.any(String) });
  });

  it('normalizes to NFC: e + combining acute is the same name as é', () => {
    const decomposed = checkName('Ren\u0065\u0301');
    const composed = checkName('Ren\u00e9');
    expect(decomposed).toEqual(composed);
    expect(decomposed.ok && decomposed.name).toBe('Ren\u00e9');
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['a space', 'al ice'],
    ['a leading space', ' alice'],
    ['a tab', 'al\tice'],
    ['a NUL', 'al\u0000ice'],
    ['an escape sequence', '\u001b[31mred'],
    ['a newline', 'al\nice'],
    ['a carriage return', 'al\rice'],
    ['DEL', 'al\u007fice'],
    ['a C1 control', 'al\u0085ice'],
    ['ZERO WIDTH SPACE', 'al\u200bice'],
    ['ZERO WIDTH JOINER', 'al\u200dice'],
    ['ZERO WIDTH NON-JOINER', 'al\u200cice'],
    ['a BOM / ZWNBSP', '\ufeffalice'],
    ['RIGHT-TO-LEFT OVERRIDE', 'al\u202eice'],
    ['LEFT-TO-RIGHT ISOLATE', 'al\u2066ice'],
    ['RIGHT-TO-LEFT MARK', 'alice\u200f'],
    ['ARABIC LETTER MARK', 'alice\u061c'],
    ['a combining mark alone', '\u0301'],
    ['a combining mark that does not compose', 'a\u0332'],
    ['a symbol', 'alice!'],
    ['an at sign', 'a@b'],
    ['an emoji', 'alice😀'],
    ['a no-break space', 'al\u00a0ice'],
    ['a lone surrogate', 'al\ud800ice'],
  ])('rejects a name with %s', (_, name) => {
    const check = checkName(name);
    expect(check).toEqual({ ok: false, reason: expect.any(String) });
  });

  it('explains why a name is invalid', () => {
    expect(checkName('')).toEqual({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(checkName('al ice')).toEqual({ ok: false, reason: expect.stringMatching(/letters, digits/) });
  });
});

describe('name keys (case-insensitive identity)', () => {
  it.each<[string, string]>([
    ['Alice', 'alice'],
    ['ALICE', 'alice'],
    ['Zoë', 'ZOË'],
    ['Zoe\u0308', 'zoë'],
    ['Ωμέγα', 'ΩΜΈΓΑ'],
    // Greek final sigma: 'ΑΣ' lower-cases to 'ας', while its other spelling 'ασ' upper-cases to 'ΑΣ' too.
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευς'],
    ['straße', 'STRASSE'],
    ['straße', 'strasse'],
    ['Łódź', 'łÓDŹ'],
  ])('%j and %j have the same key', (a, b) => {
    expect(keyOf(a)).toBe(keyOf(b));
  });

  it.each<[string, string]>([
    ['alice', 'alicia'],
    ['alice', 'alice_'],
    ['é', 'e'],
    ['a.b', 'a-b'],
  ])('%j and %j have different keys', (a, b) => {
    expect(keyOf(a)).not.toBe(keyOf(b));
  });

  it('nameKey agrees with checkName', () => {
    for (const name of ['Alice', 'ΟΔΥΣΣΕΥΣ', 'straße', 'Zoë']) expect(nameKey(name)).toBe(keyOf(name));
  });

  it('gives the same key to names that are equal when lower-cased or when upper-cased', () => {
    // Letters only, so every generated string is a valid name candidate.
    const letters = fc.constantFrom(...'aAbBßẞsSſσςΣkKiIıİµμΜθϑΘéÉ'.split(''));
    fc.assert(
      fc.property(fc.array(letters, { minLength: 1, maxLength: 6 }), fc.array(letters, { minLength: 1, maxLength: 6 }), (a, b) => {
        const nameA = a.join('').normalize('NFC');
        const nameB = b.join('').normalize('NFC');
        const sameIgnoringCase =
          nameA.toLowerCase() === nameB.toLowerCase() || nameA.toUpperCase() === nameB.toUpperCase();
        if (sameIgnoringCase) expect(keyOf(nameA)).toBe(keyOf(nameB));
      }),
      { numRuns: 500 },
    );
  });
});

describe('cleanText', () => {
  it('turns tabs into spaces', () => {
    expect(cleanText('a\tb\t\tc')).toBe('a b  c');
  });

  it.each(UNSAFE.map((char) => [`U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, char]))(
    'removes %s',
    (_, char) => {
      expect(cleanText(`a${char}b${char}`)).toBe('ab');
    },
  );

  it('removes \\r and \\n, so a message can never forge a line', () => {
    expect(cleanText('hi\r\n*** bob left the chat')).toBe('hi*** bob left the chat');
  });

  it('removes terminal escape sequences down to harmless text', () => {
    expect(cleanText('\u001b[2J\u001b]0;owned\u0007x')).toBe('[2J]0;ownedx');
  });

  it('makes lone surrogates well-formed (U+FFFD) and keeps real pairs', () => {
    expect(cleanText('a\ud800b')).toBe('a\ufffdb');
    expect(cleanText('\udc00')).toBe('\ufffd');
    expect(cleanText('x\ud83d')).toBe('x\ufffd');
    expect(cleanText('😀')).toBe('😀');
  });

  it('keeps ordinary text, including non-Latin scripts, combining marks and emoji sequences', () => {
    for (const text of ['héllo wörld', 'Ωμέγα', '名前は', 'مرحبا', 'e\u0301', '👩‍💻', '🇫🇷', '  spaced  ']) {
      expect(cleanText(text)).toBe(text);
    }
  });

  it('never leaves an unsafe character or an unpaired surrogate, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const clean = cleanText(text);
        for (const char of UNSAFE) expect(clean).not.toContain(char);
        expect(clean).not.toContain('\t');
        expect(clean.isWellFormed()).toBe(true);
        expect(cleanText(clean)).toBe(clean);
      }),
      { numRuns: 500 },
    );
  });
});

describe('codePointLength', () => {
  it('counts code points', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('e\u0301')).toBe(2);
  });
});

describe('quoteForError', () => {
  it('quotes the text so it is visibly delimited', () => {
    expect(quoteForError('al ice')).toBe('"al ice"');
  });

  it('removes controls and bidi characters and escapes nothing into a second line', () => {
    const quoted = quoteForError('a\u001b[31m\u202eb\nc');
    expect(quoted).toBe('"a[31mbc"');
  });

  it('shortens long text', () => {
    const quoted = quoteForError('x'.repeat(100), 10);
    expect(quoted).toBe(JSON.stringify(`${'x'.repeat(10)}…`));
  });
});

describe('codePointLength', () => {
  it('counts code points as the string iterator does, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(codePointLength(text)).toBe([...text].length);
      }),
      { numRuns: 500 },
    );
    expect(codePointLength('a\ud83d\ude00b\ud800\udc00\udc00\ud800')).toBe([...'a\ud83d\ude00b\ud800\udc00\udc00\ud800'].length);
  });
});
