import { ServerEvent } from '../../src/protocol/frames';
import {
  decodeTextLine,
  encodeTextLine,
  GREETING_LINE,
  NOTICE_PREFIX,
  QUIT_COMMANDS,
  WELCOME_NAMES_SHOWN,
} from '../../src/protocol/text-codec';

const MAX_MESSAGE = 20;

describe('decodeTextLine', () => {
  describe('before the user has a name', () => {
    it('reads the line as the name asked for, without surrounding spaces', () => {
      expect(decodeTextLine('alice', false, MAX_MESSAGE)).toEqual({ type: 'hello', name: 'alice' });
      expect(decodeTextLine('  alice \t', false, MAX_MESSAGE)).toEqual({ type: 'hello', name: 'alice' });
    });

    it('passes an invalid name on unchanged for the room to explain', () => {
      expect(decodeTextLine('al ice', false, MAX_MESSAGE)).toEqual({ type: 'hello', name: 'al ice' });
    });

    it.each(['{quit}', '/quit', '  /quit  '])('treats %j as quit', (line) => {
      expect(decodeTextLine(line, false, MAX_MESSAGE)).toEqual({ type: 'quit' });
    });
  });

  describe('after the user has a name', () => {
    it('reads a line as a message, as typed', () => {
      expect(decodeTextLine('hello there', true, MAX_MESSAGE)).toEqual({ type: 'say', text: 'hello there' });
      expect(decodeTextLine('  indented', true, MAX_MESSAGE)).toEqual({ type: 'say', text: '  indented' });
    });

    it.each([...QUIT_COMMANDS, ' {quit} '])('treats %j as quit', (line) => {
      expect(decodeTextLine(line, true, MAX_MESSAGE)).toEqual({ type: 'quit' });
    });

    it('does not treat quit inside a sentence as quit', () => {
      expect(decodeTextLine('type /quit to leave', true, MAX_MESSAGE)).toEqual({ type: 'say', text: 'type /quit to leave' });
    });

    it.each(['', ' ', '\t\t', '\u0007', '\r', ' \u001b '])('ignores the blank line %j', (line) => {
      expect(decodeTextLine(line, true, MAX_MESSAGE)).toBeNull();
    });

    it('cleans the message: tab to space, controls and bidi characters removed', () => {
      expect(decodeTextLine('a\tb\u001b[31mc\u202ed\re', true, MAX_MESSAGE)).toEqual({ type: 'say', text: 'a b[31mcde' });
    });

    it('rejects a message over the limit, counted in code points after cleaning', () => {
      expect(decodeTextLine('😀'.repeat(MAX_MESSAGE), true, MAX_MESSAGE)).toEqual({ type: 'say', text: '😀'.repeat(MAX_MESSAGE) });
      expect(decodeTextLine(`${'x'.repeat(MAX_MESSAGE)}\u0007\u0007`, true, MAX_MESSAGE)).toEqual({
        type: 'say',
        text: 'x'.repeat(MAX_MESSAGE),
      });
      expect(decodeTextLine('x'.repeat(MAX_MESSAGE + 1), true, MAX_MESSAGE)).toEqual({
        type: 'error',
        code: 'message_too_long',
        message: expect.stringContaining(`${MAX_MESSAGE}`),
      });
    });
  });
});

describe('encodeTextLine', () => {
  const cases: Array<[string, ServerEvent, string]> = [
    ['a message', { type: 'message', from: 'alice', text: 'hi there', ts: 1, id: 7 }, 'alice: hi there\n'],
    ['a join', { type: 'joined', name: 'bob', ts: 1 }, '*** bob joined the chat\n'],
    ['a quit', { type: 'left', name: 'bob', reason: 'quit', ts: 1 }, '*** bob left the chat\n'],
    ['a lost connection', { type: 'left', name: 'bob', reason: 'disconnect', ts: 1 }, '*** bob left the chat (connection lost)\n'],
    ['a connection error', { type: 'left', name: 'bob', reason: 'error', ts: 1 }, '*** bob left the chat (connection error)\n'],
    ['a shutdown leave', { type: 'left', name: 'bob', reason: 'shutdown', ts: 1 }, '*** bob left the chat (server shutting down)\n'],
    [
      'a welcome, alone',
      { type: 'welcome', name: 'alice', users: ['alice'] },
      '*** Welcome, alice! 1 user online: alice. Type {quit} or /quit to leave.\n',
    ],
    [
      'a welcome with company',
      { type: 'welcome', name: 'bob', users: ['alice', 'bob'] },
      '*** Welcome, bob! 2 users online: alice, bob. Type {quit} or /quit to leave.\n',
    ],
    ['an error', { type: 'error', code: 'name_taken', message: 'name "alice" is taken; try another' }, '*** Error: name "alice" is taken; try another\n'],
    ['a goodbye', { type: 'bye', reason: 'quit', message: 'Goodbye, alice!' }, '*** Goodbye, alice!\n'],
    ['a shutdown', { type: 'bye', reason: 'shutdown', message: 'The server is shutting down.' }, '*** The server is shutting down.\n'],
  ];

  it.each(cases)('renders %s', (_, event, line) => {
    expect(encodeTextLine(event)).toBe(line);
  });

  it('renders every event as exactly one line', () => {
    for (const [, event] of cases) {
      const line = encodeTextLine(event);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    }
  });

  it('starts every notice with the notice prefix, and chat lines with the sender name', () => {
    for (const [, event] of cases) {
      const line = encodeTextLine(event);
      if (event.type === 'message') expect(line.startsWith(`${event.from}: `)).toBe(true);
      else expect(line.startsWith(NOTICE_PREFIX)).toBe(true);
    }
  });

  it(`lists at most ${WELCOME_NAMES_SHOWN} names in a welcome, then says how many more`, () => {
    const users = Array.from({ length: WELCOME_NAMES_SHOWN + 5 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    const line = encodeTextLine({ type: 'welcome', name: 'user00', users });
    expect(line).toContain(`${WELCOME_NAMES_SHOWN + 5} users online`);
    expect(line).toContain(`user${WELCOME_NAMES_SHOWN - 1}`);
    expect(line).not.toContain(`user${WELCOME_NAMES_SHOWN}`);
    expect(line).toContain('and 5 more');
  });
});

describe('GREETING_LINE', () => {
  it('is one human-readable notice line that no JSON client will mistake for a frame', () => {
    expect(GREETING_LINE.startsWith(NOTICE_PREFIX)).toBe(true);
    expect(GREETING_LINE.endsWith('\n')).toBe(true);
    expect(GREETING_LINE.slice(0, -1)).not.toContain('\n');
    expect(() => JSON.parse(GREETING_LINE)).toThrow();
  });
});
