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
  /** The room the reading user types into. */
  const CURRENT = '#lobby';

  const cases: Array<[string, ServerEvent, string]> = [
    ['a message in the current room', { type: 'message', room: CURRENT, from: 'alice', text: 'hi there', ts: 1, id: 7 }, 'alice: hi there\n'],
    ['a message in another room', { type: 'message', room: '#dev', from: 'alice', text: 'hi', ts: 1, id: 7 }, '[#dev] alice: hi\n'],
    ['an action in the current room', { type: 'message', room: CURRENT, from: 'alice', text: 'waves', ts: 1, id: 7, action: true }, '* alice waves\n'],
    ['an action in another room', { type: 'message', room: '#dev', from: 'alice', text: 'waves', ts: 1, id: 7, action: true }, '[#dev] * alice waves\n'],
    ['history of the current room', { type: 'message', room: CURRENT, from: 'alice', text: 'earlier', ts: 1, id: 7, history: true }, '[history] alice: earlier\n'],
    [
      'history of another room',
      { type: 'message', room: '#dev', from: 'alice', text: 'earlier', ts: 1, id: 7, history: true },
      '[#dev] [history] alice: earlier\n',
    ],
    ['a private message', { type: 'private', from: 'alice', to: 'bob', text: 'psst', ts: 1, id: 8 }, '[private] alice -> bob: psst\n'],
    ['a join', { type: 'joined', room: CURRENT, name: 'bob', ts: 1 }, '*** bob joined #lobby\n'],
    ['a join elsewhere', { type: 'joined', room: '#dev', name: 'bob', ts: 1 }, '*** bob joined #dev\n'],
    ['a part', { type: 'left', name: 'bob', room: '#dev', reason: 'part', ts: 1 }, '*** bob left #dev\n'],
    ['a quit', { type: 'left', name: 'bob', reason: 'quit', ts: 1 }, '*** bob left the chat\n'],
    ['a quit from several rooms', { type: 'left', name: 'bob', reason: 'quit', ts: 1 }, '*** bob left the chat\n'],
    ['a lost connection', { type: 'left', name: 'bob', reason: 'disconnect', ts: 1 }, '*** bob left the chat (connection lost)\n'],
    ['a connection error', { type: 'left', name: 'bob', reason: 'error', ts: 1 }, '*** bob left the chat (connection error)\n'],
    ['a shutdown leave', { type: 'left', name: 'bob', reason: 'shutdown', ts: 1 }, '*** bob left the chat (server shutting down)\n'],
    ['a slow leave', { type: 'left', name: 'bob', reason: 'too_slow', ts: 1 }, '*** bob left the chat (too slow to keep up)\n'],
    ['a flood leave', { type: 'left', name: 'bob', reason: 'flood', ts: 1 }, '*** bob left the chat (flooding)\n'],
    ['a timeout leave', { type: 'left', name: 'bob', reason: 'timeout', ts: 1 }, '*** bob left the chat (timed out)\n'],
    ['a rename', { type: 'nick', old: 'alice', name: 'alicia', ts: 1 }, '*** alice is now known as alicia\n'],
    [
      'a welcome, alone',
      { type: 'welcome', name: 'alice', room: CURRENT, users: ['alice'], count: 1 },
      '*** Welcome, alice! You are in #lobby: 1 user: alice. Type /help for commands, {quit} or /quit to leave.\n',
    ],
    [
      'a welcome with company',
      { type: 'welcome', name: 'bob', room: CURRENT, users: ['alice', 'bob'], count: 2 },
      '*** Welcome, bob! You are in #lobby: 2 users: alice, bob. Type /help for commands, {quit} or /quit to leave.\n',
    ],
    [
      'a welcome to a quiet room',
      { type: 'welcome', name: 'bob', room: CURRENT, users: [], count: 5000 },
      '*** Welcome, bob! You are in #lobby: 5000 users. Type /help for commands, {quit} or /quit to leave.\n',
    ],
    [
      'entering a room',
      { type: 'entered', room: '#dev', users: ['alice', 'bob'], count: 2 },
      '*** You are now in #dev: 2 users: alice, bob. Lines you type go to #dev.\n',
    ],
    ['entering a quiet room', { type: 'entered', room: '#big', users: [], count: 301 }, '*** You are now in #big: 301 users. Lines you type go to #big.\n'],
    ['parting', { type: 'parted', room: '#dev', current: CURRENT }, '*** You left #dev. Lines you type go to #lobby.\n'],
    ['parting the last room', { type: 'parted', room: CURRENT, current: null }, '*** You left #lobby. You are in no room now: /join #room to talk.\n'],
    [
      'the rooms',
      { type: 'rooms', rooms: [{ room: '#dev', users: 2 }, { room: CURRENT, users: 5 }] },
      '*** Rooms: #dev (2), #lobby (5)\n',
    ],
    ['no rooms', { type: 'rooms', rooms: [] }, '*** Rooms: none\n'],
    ['the names', { type: 'names', room: '#dev', users: ['alice', 'bob'] }, '*** In #dev (2): alice, bob\n'],
    ['an error', { type: 'error', code: 'name_taken', message: 'name "alice" is taken; try another' }, '*** Error: name "alice" is taken; try another\n'],
    ['a goodbye', { type: 'bye', reason: 'quit', message: 'Goodbye, alice!' }, '*** Goodbye, alice!\n'],
    ['a shutdown', { type: 'bye', reason: 'shutdown', message: 'The server is shutting down.' }, '*** The server is shutting down.\n'],
    ['one dropped message', { type: 'gap', missed: 1 }, '*** 1 message was dropped because your connection could not keep up\n'],
    ['dropped messages', { type: 'gap', missed: 12 }, '*** 12 messages were dropped because your connection could not keep up\n'],
  ];

  it.each(cases)('renders %s', (_, event, line) => {
    expect(encodeTextLine(event, CURRENT)).toBe(line);
  });

  it('renders every one of these events as exactly one line', () => {
    for (const [, event] of cases) {
      const line = encodeTextLine(event, CURRENT);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    }
  });

  it('starts every notice with the notice prefix, and chat lines with the sender name, a room or [private]', () => {
    for (const [, event] of cases) {
      const line = encodeTextLine(event, CURRENT);
      if (event.type === 'message') {
        const where = event.room === CURRENT ? '' : `[${event.room}] `;
        const when = event.history ? '[history] ' : '';
        expect(line.startsWith(`${where}${when}${event.action ? `* ${event.from} ` : `${event.from}: `}`)).toBe(true);
      } else if (event.type === 'private') {
        expect(line.startsWith('[private] ')).toBe(true);
      } else {
        expect(line.startsWith(NOTICE_PREFIX)).toBe(true);
      }
    }
  });

  it('marks messages by the reader\'s current room: none when reading outside every room', () => {
    const event: ServerEvent = { type: 'message', room: '#dev', from: 'alice', text: 'hi', ts: 1, id: 1 };
    expect(encodeTextLine(event, '#dev')).toBe('alice: hi\n');
    expect(encodeTextLine(event, '#lobby')).toBe('[#dev] alice: hi\n');
    expect(encodeTextLine(event, null)).toBe('[#dev] alice: hi\n');
  });

  it('renders notices the same whatever the current room', () => {
    for (const [, event] of cases) {
      if (event.type === 'message') continue;
      expect(encodeTextLine(event, '#elsewhere')).toBe(encodeTextLine(event, CURRENT));
      expect(encodeTextLine(event, null)).toBe(encodeTextLine(event, CURRENT));
    }
  });

  it('adds the message of the day to a welcome as a notice line of its own', () => {
    const line = encodeTextLine({ type: 'welcome', name: 'alice', room: CURRENT, users: ['alice'], count: 1, motd: 'Be nice.' }, CURRENT);
    expect(line).toBe(
      '*** Welcome, alice! You are in #lobby: 1 user: alice. Type /help for commands, {quit} or /quit to leave.\n*** Be nice.\n',
    );
  });

  it('renders help as notice lines, one per command and one for //text', () => {
    const lines = encodeTextLine(
      {
        type: 'help',
        commands: [
          { command: '/join', args: '#room', help: 'join a room' },
          { command: '/rooms', args: '', help: 'list the rooms' },
        ],
      },
      CURRENT,
    )
      .split('\n')
      .slice(0, -1);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('*** Commands:');
    expect(lines[1]).toMatch(/^\*\*\* {3}\/join #room +join a room$/);
    expect(lines[2]).toMatch(/^\*\*\* {3}\/rooms +list the rooms$/);
    expect(lines[3]).toMatch(/^\*\*\* {3}\/\/text +send a line that starts with \/$/);
    // The help texts start in one column.
    const column = lines[1].indexOf('join a room');
    expect(lines[2].indexOf('list the rooms')).toBe(column);
    expect(lines[3].indexOf('send a line')).toBe(column);
  });

  it('sends nothing to a text user for the JSON heartbeat', () => {
    expect(encodeTextLine({ type: 'ping' }, CURRENT)).toBe('');
    expect(encodeTextLine({ type: 'pong' }, CURRENT)).toBe('');
  });

  it(`lists at most ${WELCOME_NAMES_SHOWN} names in a welcome, then says how many more`, () => {
    const users = Array.from({ length: WELCOME_NAMES_SHOWN + 5 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    const line = encodeTextLine({ type: 'welcome', name: 'user00', room: CURRENT, users, count: users.length }, CURRENT);
    expect(line).toContain(`${WELCOME_NAMES_SHOWN + 5} users: `);
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
