import blessed from 'blessed';
import { PassThrough } from 'stream';
import { ClientEvent, ConnectionState } from '../../src/client/chat-client';
import { createEditorState, editLine } from '../../src/client/line-editor';
import { NAME_COLOURS, nameColour } from '../../src/client/name-colour';
import {
  buildFrame,
  ChatLine,
  createViewState,
  formatTime,
  lineSegments,
  mentions,
  reduceView,
  renderLine,
  statusSegments,
  toTagged,
  ViewAction,
  ViewState,
  visibleLines,
} from '../../src/client/view-model';
import { currentRoom } from '../../src/client/rooms';

const T = new Date(2026, 0, 2, 9, 5).getTime();
const TIME = formatTime(T);

function apply(state: ViewState, ...events: ClientEvent[]): ViewState {
  return events.reduce((s, event) => reduceView(s, { type: 'event', event, now: T }), state);
}
const message = (from: string, text: string, id = 1, room = '#lobby'): ClientEvent => ({ type: 'message', room, from, text, ts: T, id });
const connection = (state: ConnectionState): ClientEvent => ({ type: 'connection', state });
const registeredAs = (name: string, users = [name]) =>
  apply(
    createViewState('127.0.0.1:53000'),
    connection({ status: 'connected' }),
    { type: 'welcome', name, room: '#lobby', users, count: users.length },
    connection({ status: 'registered', name }),
  );
const plain = (line: ChatLine, me?: string) =>
  lineSegments(line, me)
    .map((segment) => segment.text)
    .join('');
const lastLine = (state: ViewState) => state.lines.last()!;

describe('formatting lines', () => {
  it('gives each message a timestamp, the sender in their colour, and the text', () => {
    const state = apply(registeredAs('me'), message('alice', 'hello there'));
    expect(lineSegments(lastLine(state), 'me')).toEqual([
      { text: `${TIME} `, fg: 'gray' },
      { text: 'alice', fg: nameColour('alice'), bold: false },
      { text: ': ' },
      { text: 'hello there' },
    ]);
    expect(TIME).toBe('09:05');
    expect(renderLine(lastLine(state), 'me')).toBe(`{gray-fg}09:05 {/}{${nameColour('alice')}-fg}alice{/}: hello there`);
  });

  it('makes our own messages bold', () => {
    const state = apply(registeredAs('bob'), message('bob', 'mine'));
    const [, name, , text] = lineSegments(lastLine(state), 'bob');
    expect(name).toMatchObject({ text: 'bob', bold: true });
    expect(text).toEqual({ text: 'mine', bold: true });
  });

  it('highlights messages that mention our name, as a whole word, in any case', () => {
    const state = apply(registeredAs('bob'), message('alice', 'hey @BOB, look'), message('alice', 'bobby is not you'));
    const [mention, other] = state.lines.slice(-2).toArray();
    expect(lineSegments(mention, 'bob')[3]).toEqual({ text: 'hey @BOB, look', fg: 'black', bg: 'yellow' });
    expect(lineSegments(other, 'bob')[3]).toEqual({ text: 'bobby is not you' });
    expect(mentions('ping j.doe!', 'j.doe')).toBe(true);
    expect(mentions('ping jxdoe', 'j.doe')).toBe(false);
  });

  it('draws notices apart from messages: joins, leaves, information and errors', () => {
    const state = apply(
      registeredAs('me'),
      { type: 'joined', room: '#lobby', name: 'carol', ts: T },
      { type: 'left', name: 'carol', room: '#lobby', reason: 'part', ts: T },
      { type: 'left', name: 'carol', reason: 'disconnect', ts: T },
      { type: 'error', code: 'name_taken', message: 'name "x" is taken; try another' },
      { type: 'gap', missed: 3 },
    );
    const [joined, parted, left, error, gap] = state.lines.slice(-5).toArray();
    expect(plain(joined)).toBe(`${TIME} --> carol joined #lobby`);
    expect(plain(parted)).toBe(`${TIME} <-- carol left #lobby`);
    expect(plain(left)).toBe(`${TIME} <-- carol left the chat (connection lost)`);
    expect(plain(error)).toBe(`${TIME} *** Error: name "x" is taken; try another`);
    expect(lineSegments(error, 'me')[1]).toMatchObject({ fg: 'red', bold: true });
    expect(plain(gap)).toBe(`${TIME} *** 3 messages were dropped because your connection could not keep up`);
    const welcome = state.lines.first()!;
    expect(plain(welcome)).toBe(`${TIME} *** Welcome, me! You are in #lobby: 1 user: me. Type /help for commands, {quit} or /quit to leave.`);
    expect(lineSegments(welcome, 'me')[1]).toMatchObject({ fg: 'gray' });
  });
});

describe('rooms, actions, history and private messages', () => {
  it('marks messages from rooms other than the current one, actions, and history', () => {
    const state = apply(
      registeredAs('me'),
      { type: 'entered', room: '#dev', users: ['alice', 'me'], count: 2 },
      { type: 'message', room: '#dev', from: 'alice', text: 'earlier', ts: T, id: 1, history: true },
      { type: 'message', room: '#dev', from: 'alice', text: 'waves', ts: T, id: 2, action: true },
      message('bob', 'meanwhile in the lobby', 3, '#lobby'),
    );
    const [entered, history, action, elsewhere] = state.lines.slice(-4).toArray();
    expect(plain(entered)).toBe(`${TIME} *** You are now in #dev: 2 users: alice, me. Lines you type go to #dev.`);
    expect(plain(history)).toBe(`${TIME} [history] alice: earlier`);
    expect(lineSegments(history, 'me').at(-1)).toMatchObject({ fg: 'gray' });
    expect(plain(action)).toBe(`${TIME} * alice waves`);
    expect(plain(elsewhere)).toBe(`${TIME} [#lobby] bob: meanwhile in the lobby`);
  });

  it('shows private messages apart, and those to us stand out', () => {
    const state = apply(
      registeredAs('me'),
      { type: 'private', from: 'alice', to: 'me', text: 'psst', ts: T, id: 1 },
      { type: 'private', from: 'me', to: 'alice', text: 'hi', ts: T, id: 2 },
    );
    const [received, sent] = state.lines.slice(-2).toArray();
    expect(plain(received)).toBe(`${TIME} [private] alice -> me: psst`);
    expect(lineSegments(received, 'me').at(-1)).toEqual({ text: 'psst', fg: 'magenta', bold: true });
    expect(plain(sent)).toBe(`${TIME} [private] me -> alice: hi`);
    expect(lineSegments(sent, 'me').at(-1)).toEqual({ text: 'hi', fg: 'magenta', bold: false });
  });

  it('shows answers to commands as notices, one line each', () => {
    const state = apply(
      registeredAs('me'),
      { type: 'rooms', rooms: [{ room: '#dev', users: 2 }, { room: '#lobby', users: 5 }] },
      { type: 'names', room: '#dev', users: ['alice', 'bob'] },
      { type: 'help', commands: [{ command: '/join', args: '#room', help: 'join a room' }] },
      { type: 'parted', room: '#lobby', current: null },
      { type: 'nick', old: 'me', name: 'myself', ts: T },
    );
    expect(state.lines.slice(1).map((line) => plain(line).slice(TIME.length + 1)).toArray()).toEqual([
      '*** Rooms: #dev (2), #lobby (5)',
      '*** In #dev (2): alice, bob',
      '*** Commands:',
      '***   /join #room        join a room',
      '***   //text             send a line that starts with /',
      '*** You left #lobby. You are in no room now: /join #room to talk.',
      '*** me is now known as myself',
    ]);
    expect(state.me).toBe('myself');
    expect(statusSegments(state).map((s) => s.text).join('')).toContain('in no room: /join #room');
  });

  it('shows the size of a quiet room instead of its members', () => {
    const state = apply(createViewState('s'), connection({ status: 'connected' }), { type: 'welcome', name: 'me', room: '#lobby', users: [], count: 500 }, connection({ status: 'registered', name: 'me' }));
    const frame = buildFrame(state, createEditorState(), { inputWidth: 80, userRows: 10 }, () => 1);
    expect(frame.users).toBe('{gray-fg}500 users{/}\n{gray-fg}/names lists them{/}');
    expect(frame.usersLabel).toBe(' #lobby (500) ');
  });
});

describe('name colours', () => {
  it('are the same for a name every time, and for the same name in another case', () => {
    expect(nameColour('alice')).toBe(nameColour('alice'));
    expect(nameColour('Alice')).toBe(nameColour('alice'));
    expect(NAME_COLOURS).toContain(nameColour('zoë'));
  });

  it('are spread over the palette, and never red (or light red), grey, black or white', () => {
    const names = Array.from({ length: 60 }, (_, i) => `user${i}`);
    const used = new Set(names.map(nameColour));
    expect(used.size).toBeGreaterThanOrEqual(NAME_COLOURS.length - 2);
    for (const colour of used) expect(['red', 'light-red', 'gray', 'grey', 'black', 'white']).not.toContain(colour);
  });
});

describe('hostile text', () => {
  let screen: blessed.Widgets.Screen;
  beforeAll(() => {
    // A screen that draws nowhere, only so blessed's own tag parser can be run on our output.
    const output = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: true });
    screen = blessed.screen({ input: new PassThrough() as never, output: output as never, terminal: 'xterm-256color', warnings: false });
  });
  afterAll(() => screen.destroy());

  /** What the terminal would receive for a line, and the same with our own styling removed. */
  function onTerminal(tagged: string): { raw: string; visible: string } {
    const raw = blessed.parseTags(tagged, screen);
    return { raw, visible: raw.replace(/\u001b\[[0-9;]*m/g, '') };
  }

  const hostile = [
    '{red-fg}RED{/red-fg} {bold}{blink}x{/}',
    '\u001b[2J\u001b[31mred\u001b]0;title\u0007',
    '\u009b31m c1',
    'fake\rcarol: I agree\nsecond',
    'evil\u202etxt.exe',
  ];

  it.each(hostile)('renders %j inert: only our styling reaches the terminal', (text) => {
    const state = apply(registeredAs('me'), message('mallory', text));
    const { raw, visible } = onTerminal(renderLine(lastLine(state), 'me'));
    // The only escape sequences are the colour changes our own tags asked for.
    expect(raw.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(visible.startsWith(`${TIME} mallory: `)).toBe(true);
    expect(visible).not.toContain('\n');
  });

  it('shows tags, escapes and line breaks visibly, as typed', () => {
    const state = apply(
      registeredAs('me'),
      message('mallory', '{red-fg}RED{/red-fg}'),
      message('mallory', '\u001b[31mred'),
      message('mallory', 'fake\rcarol: hi'),
    );
    const visible = state.lines
      .slice(-3)
      .map((line) => onTerminal(renderLine(line, 'me')).visible)
      .toArray();
    expect(visible).toEqual([`${TIME} mallory: {red-fg}RED{/red-fg}`, `${TIME} mallory: ␛[31mred`, `${TIME} mallory: fake⏎carol: hi`]);
  });

  it('cleans names and server notices as well as message text', () => {
    const state = apply(
      registeredAs('me'),
      { type: 'joined', room: '#lobby', name: '{red-fg}x\u001b[0m', ts: T },
      { type: 'error', code: 'bad_frame', message: 'bad\u001b[2J{bold}' },
      { type: 'welcome', name: 'me', room: '#{lob\u001bby}', users: ['me', '{blink}y'], count: 2 },
    );
    const frame = buildFrame(state, createEditorState(), { inputWidth: 80, userRows: 10 }, () => 1);
    for (const tagged of [frame.messages, frame.users, frame.status]) {
      const { raw } = onTerminal(tagged);
      expect(raw.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
    expect(onTerminal(frame.messages).visible).toContain('--> {red-fg}x␛[0m joined #lobby');
    expect(onTerminal(frame.messages).visible).toContain('*** Error: bad␛[2J{bold}');
    expect(onTerminal(frame.messages).visible).toContain('You are in #{lob␛by}: 2 users');
    expect(onTerminal(frame.users).visible).toContain('{blink}y');
    expect(frame.usersLabel).toBe(' #{open}lob␛by{close} (2) ');
  });

  it('shows what the user is typing escaped as well', () => {
    const editor = editLine(createEditorState(), { type: 'insert', text: '{red-fg}hi' });
    const frame = buildFrame(registeredAs('me'), editor, { inputWidth: 40, userRows: 10 }, () => 1);
    expect(onTerminal(frame.input).visible).toBe('> {red-fg}hi ');
  });
});

describe('scrollback', () => {
  /** An empty pane, in the lobby, so messages there show as plain `name: text`. */
  const createViewStateInLobby = (scrollback: number): ViewState => ({
    ...createViewState('s', scrollback),
    rooms: { current: '#lobby', rooms: new Map([['#lobby', { room: '#lobby', users: ['alice'], count: 1 }]]) },
  });
  const many = (state: ViewState, count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => message('alice', `m${from + i}`, from + i)).reduce(
      (s, event) => reduceView(s, { type: 'event', event, now: T }),
      state,
    );

  it('keeps at most the configured number of lines, dropping the oldest', () => {
    const state = many(createViewStateInLobby(5000), 6000);
    expect(state.lines.size).toBe(5000);
    expect(plain(state.lines.first()!)).toBe(`${TIME} alice: m1000`);
    expect(plain(state.lines.last()!)).toBe(`${TIME} alice: m5999`);
  });

  it('renders only the lines that fit in the pane', () => {
    const state = reduceView(many(createViewStateInLobby(100), 50), { type: 'resize', rows: 10 });
    expect(visibleLines(state).map((line) => plain(line))).toEqual(Array.from({ length: 10 }, (_, i) => `${TIME} alice: m${40 + i}`));
    const frame = buildFrame(state, createEditorState(), { inputWidth: 80, userRows: 10 }, () => 1);
    expect(frame.messages.split('\n')).toHaveLength(10);
  });

  it('stays put while scrolled back, counts what arrives, and follows again at the bottom', () => {
    let state = reduceView(many(createViewStateInLobby(100), 50), { type: 'resize', rows: 10 });
    state = reduceView(state, { type: 'page', direction: 1 });
    expect(state.scrollOffset).toBe(9);
    const shown = visibleLines(state);
    state = many(state, 3, 50);
    expect(visibleLines(state)).toEqual(shown);
    expect(state.unread).toBe(3);
    expect(toTagged(statusSegments(state))).toContain('↓ 3 new (PgDn)');
    state = reduceView(state, { type: 'page', direction: -1 });
    state = reduceView(state, { type: 'page', direction: -1 });
    expect(state.scrollOffset).toBe(0);
    expect(state.unread).toBe(0);
    state = many(state, 1, 53);
    expect(plain(visibleLines(state).at(-1)!)).toBe(`${TIME} alice: m53`);
  });

  it('cannot scroll past the oldest or the newest line, and shows the oldest at the top', () => {
    let state = reduceView(many(createViewStateInLobby(100), 30), { type: 'resize', rows: 10 });
    state = reduceView(state, { type: 'scroll', lines: 1000 });
    expect(state.scrollOffset).toBe(20);
    expect(plain(visibleLines(state)[0])).toBe(`${TIME} alice: m0`);
    expect(buildFrame(state, createEditorState(), { inputWidth: 80, userRows: 10 }, () => 1).alignTop).toBe(true);
    state = reduceView(state, { type: 'scroll', lines: -1000 });
    expect(state.scrollOffset).toBe(0);
    state = reduceView(state, { type: 'scroll', lines: 3 });
    state = reduceView(state, { type: 'bottom' });
    expect(state.scrollOffset).toBe(0);
  });

  it('keeps the scroll position valid when old lines fall off the scrollback', () => {
    let state = reduceView(many(createViewStateInLobby(20), 20), { type: 'resize', rows: 5 });
    state = reduceView(state, { type: 'scroll', lines: 15 });
    state = many(state, 10, 20);
    expect(state.lines.size).toBe(20);
    expect(state.scrollOffset).toBe(15);
    expect(visibleLines(state)).toHaveLength(5);
  });
});

describe('connection and users', () => {
  it('tracks who is in the current room, and shows the room and its size in the status line', () => {
    let state = registeredAs('bob', ['alice', 'bob']);
    state = apply(state, { type: 'joined', room: '#lobby', name: 'Carol', ts: T }, { type: 'left', name: 'alice', reason: 'quit', ts: T });
    expect(currentRoom(state.rooms)?.users).toEqual(['bob', 'Carol']);
    const status = statusSegments(state)
      .map((segment) => segment.text)
      .join('');
    expect(status).toBe(' ● online | 127.0.0.1:53000 | bob | #lobby (2)');
    const frame = buildFrame(state, createEditorState(), { inputWidth: 80, userRows: 10 }, () => 1);
    expect(frame.usersLabel).toBe(' #lobby (2) ');
    expect(frame.users).toBe(`{${nameColour('bob')}-fg}{bold}bob{/}\n{${nameColour('Carol')}-fg}Carol{/}`);
  });

  it('lists as many users as fit, then how many more there are', () => {
    const users = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const frame = buildFrame(registeredAs('u00', users), createEditorState(), { inputWidth: 80, userRows: 5 }, () => 1);
    expect(frame.users.split('\n')).toHaveLength(5);
    expect(frame.users).toContain('+8 more');
  });

  it('says once that the connection was lost, shows retries in the status line, and says when it is back', () => {
    let state = registeredAs('bob');
    const actions: ViewAction[] = [
      { type: 'event', event: connection({ status: 'reconnecting', attempt: 1, delayMs: 1500, reason: 'connection reset' }), now: T },
      { type: 'event', event: connection({ status: 'connecting', attempt: 2 }), now: T },
      { type: 'event', event: connection({ status: 'reconnecting', attempt: 2, delayMs: 3000, reason: 'connection refused' }), now: T },
    ];
    state = actions.reduce(reduceView, state);
    expect(state.me).toBeUndefined();
    expect(state.rooms.rooms.size).toBe(0);
    expect(state.lines.filter((line) => line.kind === 'error').map((line) => plain(line)).toArray()).toEqual([
      `${TIME} *** Connection lost: connection reset. Reconnecting…`,
    ]);
    expect(statusSegments(state)[1]).toEqual({ text: '● disconnected: connection refused; retrying in 3s', fg: 'red', bold: true });
    state = apply(state, connection({ status: 'connecting', attempt: 3 }), connection({ status: 'connected' }));
    expect(plain(lastLine(state))).toBe(`${TIME} *** Connected again.`);
  });

  it('puts the server’s own goodbye in the lost-connection line without doubling its full stop', () => {
    const state = apply(registeredAs('bob'), connection({ status: 'reconnecting', attempt: 1, delayMs: 100, reason: 'No name was chosen within 30 s. Goodbye!' }));
    expect(plain(lastLine(state))).toBe(`${TIME} *** Connection lost: No name was chosen within 30 s. Goodbye! Reconnecting…`);
  });

  it('asks for a name with its own prompt until one is accepted', () => {
    const connected = apply(createViewState('s'), connection({ status: 'connected' }));
    const size = { inputWidth: 80, userRows: 10 };
    expect(buildFrame(connected, createEditorState(), size, () => 1).input).toBe('{yellow-fg}{bold}name> {/}{inverse} {/}');
    expect(buildFrame(registeredAs('bob'), createEditorState(), size, () => 1).input).toBe('{cyan-fg}{bold}> {/}{inverse} {/}');
  });
});
