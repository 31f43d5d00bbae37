import { cleanMessage } from '../../src/protocol/say';

const MAX = 10;

describe('cleanMessage', () => {
  it('returns the text to send', () => {
    expect(cleanMessage('hello', MAX)).toBe('hello');
  });

  it('cleans the text before anything else', () => {
    expect(cleanMessage('a\u0000b\tc\u2067d', MAX)).toBe('ab cd');
    expect(cleanMessage('\ud800', MAX)).toBe('\ufffd');
  });

  it('removes line breaks so a message cannot forge another line', () => {
    expect(cleanMessage('hi\n*** admin: trust me\r', MAX * 10)).toBe('hi*** admin: trust me');
  });

  it.each(['', '   ', '\t', '\n', '\u0001\u0002', '\u202e'])('returns null (nothing to send) for %j', (text) => {
    expect(cleanMessage(text, MAX)).toBeNull();
  });

  it('accepts exactly the limit in code points and rejects one more with a clear error', () => {
    expect(cleanMessage('€'.repeat(MAX), MAX)).toBe('€'.repeat(MAX));
    expect(cleanMessage('🙂'.repeat(MAX), MAX)).toBe('🙂'.repeat(MAX));
    expect(cleanMessage('x'.repeat(MAX + 1), MAX)).toEqual({
      type: 'error',
      code: 'message_too_long',
      message: expect.stringMatching(new RegExp(`limit is ${MAX}.*${MAX + 1}`)),
    });
  });
});
