import { sayCommand } from '../../src/protocol/say';

const MAX = 10;

describe('sayCommand', () => {
  it('turns text into a say command', () => {
    expect(sayCommand('hello', MAX)).toEqual({ type: 'say', text: 'hello' });
  });

  it('cleans the text before anything else', () => {
    expect(sayCommand('a\u0000b\tc\u2067d', MAX)).toEqual({ type: 'say', text: 'ab cd' });
    expect(sayCommand('\ud800', MAX)).toEqual({ type: 'say', text: '\ufffd' });
  });

  it('removes line breaks so a message cannot forge another line', () => {
    expect(sayCommand('hi\n*** admin: trust me\r', MAX * 10)).toEqual({ type: 'say', text: 'hi*** admin: trust me' });
  });

  it.each(['', '   ', '\t', '\n', '\u0001\u0002', '\u202e'])('returns null (nothing to send) for %j', (text) => {
    expect(sayCommand(text, MAX)).toBeNull();
  });

  it('accepts exactly the limit in code points and rejects one more with a clear error', () => {
    expect(sayCommand('€'.repeat(MAX), MAX)).toEqual({ type: 'say', text: '€'.repeat(MAX) });
    expect(sayCommand('🙂'.repeat(MAX), MAX)).toEqual({ type: 'say', text: '🙂'.repeat(MAX) });
    expect(sayCommand('x'.repeat(MAX + 1), MAX)).toEqual({
      type: 'error',
      code: 'message_too_long',
      message: expect.stringMatching(new RegExp(`limit is ${MAX}.*${MAX + 1}`)),
    });
  });
});
