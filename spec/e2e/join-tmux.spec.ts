import { join } from 'path';
import { ClientEvent } from '../../src/client/chat-client';
import { joinedClient, quitAll } from '../client/client-helpers';
import { FakeServer } from '../client/fake-server';
import { createTestCertificate } from '../support/certificate';
import { CliProcess } from '../support/cli-process';
import { startTestServer } from '../support/test-server';
import { PROMPT, requireTmux, TmuxServer, TmuxTerminal } from './tmux';

const ROOT = join(__dirname, '../..');
/** `chat join` from the sources, with the node running the tests: no build, no PATH lookup. */
const CHAT_JOIN = `${process.execPath} --import tsx src/cli/main.ts join`;
/** Printed by the shell after `chat join` exits, so the test sees its exit code on screen. */
const SHOW_EXIT = 'echo "exit=$?"';

/** Width of a terminal cell run, close enough for the characters these tests use. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\u{1f300}-\u{1faff}]/u.test(ch) ? 2 : 1;
  return width;
}

/**
 * The foreground colour SGR parameters in force where `text` starts in a row captured with
 * `capture-pane -e`; empty when the default colour is.
 */
function foregroundAt(row: string, text: string): string[] {
  let foreground: string[] = [];
  for (const piece of row.split(/(\u001b\[[0-9;]*m)/)) {
    const sgr = /^\u001b\[([0-9;]*)m$/.exec(piece);
    if (!sgr) {
      if (piece.includes(text)) return foreground;
      continue;
    }
    const params = sgr[1] === '' ? ['0'] : sgr[1].split(';');
    for (let i = 0; i < params.length; i++) {
      const p = Number(params[i]);
      if (p === 0 || p === 39) foreground = [];
      else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97)) foreground = [params[i]];
      else if (p === 38) {
        foreground = params.slice(i, i + (params[i + 1] === '5' ? 3 : 5));
        i += foreground.length - 1;
      }
    }
  }
  throw new Error(`${JSON.stringify(text)} is not in the row ${JSON.stringify(row)}`);
}

/** Whether foreground SGR parameters (from `foregroundAt`) are magenta, in any of the ways a terminal may say it. */
function isMagenta(foreground: string[]): boolean {
  return ['35', '95', '38;5;5', '38;5;13'].includes(foreground.join(';'));
}

/** The character drawn at display column `column` of a screen row. */
function charAtColumn(row: string, column: number): string | undefined {
  let at = 0;
  for (const ch of row) {
    if (at === column) return ch;
    at += displayWidth(ch);
  }
  return undefined;
}

describe('chat join in a real terminal (tmux)', () => {
  let tmux: TmuxServer | undefined;
  let serve: CliProcess;
  let port: number;
  let terminal: TmuxTerminal | undefined;
  let sessions = 0;

  beforeAll(async () => {
    requireTmux();
    tmux = new TmuxServer();
    ({ process: serve, port } = await CliProcess.serve());
  });
  afterEach(async () => {
    terminal?.kill();
    terminal = undefined;
    await quitAll();
  });
  afterAll(() => {
    tmux?.stop();
    serve?.kill();
  });

  function openTerminal(): TmuxTerminal {
    terminal = TmuxTerminal.start(tmux!, `join-${++sessions}`, ROOT);
    return terminal;
  }

  it('asks for the server, retries a bad port and a refused connection, handles a taken name, chats in rooms and in private, renders hostile text inert and quits back to the shell', async () => {
    const closed = await FakeServer.start();
    const closedPort = closed.port;
    await closed.stop();
    const alice = await joinedClient(port, 'alice');

    const term = openTerminal();
    await term.waitForText(PROMPT);
    term.type(`${CHAT_JOIN}; ${SHOW_EXIT}`);

    // The address prompts, with their defaults; a bad answer is explained and asked again.
    await term.waitForText('Server address [127.0.0.1]: ');
    term.type('');
    await term.waitForText('Port [53000]: ');
    term.type('99999');
    await term.waitForText('That will not work: the port must be a whole number from 1 to 65535 (got 99999).');
    term.type(String(closedPort));
    await term.waitForText(`cannot connect to 127.0.0.1:${closedPort}: connection refused (is the server running?)`);
    // Asked again, with the last answers offered.
    await term.waitFor((screen) => screen.split('\n').filter((row) => row.startsWith('Server address [127.0.0.1]:')).length === 2, 'the address asked again');
    term.type('');
    await term.waitForText(`Port [${closedPort}]: `);
    term.type(String(port));

    // The UI: it asks for a name; a taken one is explained and asked again.
    await term.waitForText('Type your name and press Enter.');
    await term.waitForText('name> ');
    await term.waitForText(`127.0.0.1:${port}`);
    term.type('alice');
    await term.waitForText('name "alice" is taken; try another');
    await term.waitForText('Type another name and press Enter.');
    term.type('bob');
    await term.waitForText('Welcome, bob! You are in #lobby: 2 users: alice, bob.');
    const online = await term.waitForText('● online');
    expect(online).toMatch(new RegExp(`● online \\| 127\\.0\\.0\\.1:${port} \\| bob \\| #lobby \\(2\\)`));
    expect(online).toContain('#lobby (2)');
    await alice.waitFor((e) => e.type === 'joined' && e.name === 'bob', 'bob joining');

    // Messages both ways.
    alice.client.say('hello bob, how are you?');
    await term.waitFor((screen) => /\d\d:\d\d alice: hello bob, how are you\?/.test(screen), 'the message from alice');
    term.type('fine, thanks');
    await alice.waitFor((e: ClientEvent) => e.type === 'message' && e.from === 'bob' && e.text === 'fine, thanks', 'bob’s message');
    await term.waitFor((screen) => /\d\d:\d\d bob: fine, thanks/.test(screen), 'bob’s own message');

    // Blessed tags in a message are shown as typed, not applied.
    alice.client.say('{red-fg}RED{/red-fg} {bold}not bold{/bold} {open}');
    const hostile = await term.waitForText('alice: {red-fg}RED{/red-fg} {bold}not bold{/bold} {open}');
    expect(hostile).toBeDefined();
    const styled = term.captureWithAttributes().split('\n').find((row) => row.includes('RED'))!;
    expect(foregroundAt(styled, '{red-fg}RED')).toEqual([]);

    // Up brings back what was typed.
    term.keys('Up');
    await term.waitForText('> fine, thanks');
    term.keys('C-u');

    // Rooms: a room of one's own; lines from the other room carry its name.
    term.type('/join #dev');
    await term.waitForText('You are now in #dev: 1 user: bob. Lines you type go to #dev.');
    await term.waitForText(`bob | #dev (1)`);
    alice.client.say('anyone in dev?');
    await term.waitForText('[#lobby] alice: anyone in dev?');
    alice.client.send({ type: 'join', room: '#dev' });
    await term.waitForText('--> alice joined #dev');
    await term.waitForText('bob | #dev (2)');
    alice.client.say('yes, me', '#dev');
    await term.waitFor((screen) => /\d\d:\d\d alice: yes, me/.test(screen), 'alice’s line in the current room, without a room');
    expect(term.capture()).not.toContain('[#dev] alice: yes, me');

    // Switching back to the lobby: now #dev's lines carry the room, and what bob types goes to the lobby.
    term.type('/join #lobby');
    await term.waitForText('You are now in #lobby: 2 users: alice, bob. Lines you type go to #lobby.');
    await term.waitForText('bob | #lobby (2)');
    alice.client.say('still in dev', '#dev');
    await term.waitForText('[#dev] alice: still in dev');
    term.type('back in the lobby');
    const inLobby = await alice.waitFor((e) => e.type === 'message' && e.from === 'bob' && e.text === 'back in the lobby', 'bob’s lobby line');
    expect(inLobby).toMatchObject({ room: '#lobby' });

    // Private messages, received and sent, stand apart: marked and in magenta, unlike room lines.
    // Carol, in the lobby with both, sees none of them.
    const carol = await joinedClient(port, 'carol');
    await term.waitForText('bob | #lobby (3)');
    alice.client.send({ type: 'msg', to: 'bob', text: 'psst, bob' });
    await term.waitForText('[private] alice -> bob: psst, bob');
    term.type('/msg alice got it');
    await alice.waitFor((e) => e.type === 'private' && e.from === 'bob' && e.to === 'alice' && e.text === 'got it', 'bob’s private reply');
    await term.waitForText('[private] bob -> alice: got it');
    const rows = term.captureWithAttributes().split('\n');
    const received = rows.find((row) => row.includes('psst, bob'))!;
    const sent = rows.find((row) => row.includes('got it'))!;
    const roomLine = rows.find((row) => row.includes('still in dev'))!;
    for (const row of [received, sent]) {
      expect(isMagenta(foregroundAt(row, '[private]'))).toBe(true);
    }
    expect(isMagenta(foregroundAt(received, 'psst, bob'))).toBe(true);
    expect(isMagenta(foregroundAt(sent, 'got it'))).toBe(true);
    expect(isMagenta(foregroundAt(roomLine, 'still in dev'))).toBe(false);
    alice.client.say('for everyone', '#lobby');
    await carol.waitFor((e) => e.type === 'message' && e.text === 'for everyone', 'the lobby line');
    expect(carol.events.filter((e) => e.type === 'private')).toEqual([]);

    // /quit says goodbye, restores the terminal and exits 0.
    term.type('/quit');
    const after = await term.waitForText('exit=0');
    expect(after).not.toContain('● online');
    expect(after).not.toContain('name>');
    expect(after).toContain(`${PROMPT}${CHAT_JOIN}; ${SHOW_EXIT}`);
    await term.waitFor((screen) => screen.trimEnd().endsWith(PROMPT.trimEnd()), 'the shell prompt');
    await alice.waitFor((e) => e.type === 'left' && e.name === 'bob' && e.reason === 'quit', 'bob quitting');
  });

  it('over TLS: explains an untrusted certificate and asks again, then joins with --ca', async () => {
    const certificate = createTestCertificate();
    const server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    try {
      const term = openTerminal();
      await term.waitForText(PROMPT);
      term.type(`${CHAT_JOIN} --tls --host 127.0.0.1 --port ${server.port}; ${SHOW_EXIT}`);
      await term.waitForText(`cannot connect to 127.0.0.1:${server.port}: the server's certificate is not trusted: it is self-signed.`);
      await term.waitForText('with --ca FILE.');
      // Asked again, as for a server that cannot be reached; no answer (Ctrl+D) gives up.
      await term.waitForText('Server address [127.0.0.1]: ');
      term.keys('C-d');
      await term.waitForText('exit=1');

      term.type(`clear; ${CHAT_JOIN} --ca ${certificate.certPath} --host 127.0.0.1 --port ${server.port} --name erin; ${SHOW_EXIT}`);
      await term.waitForText(`Connected to 127.0.0.1:${server.port} with TLS.`);
      await term.waitForText('Welcome, erin!');
      await term.waitForText('● online');
      term.type('/quit');
      await term.waitForText('exit=0');
    } finally {
      await server.stop();
      certificate.remove();
    }
  });

  it('says goodbye when the terminal is closed under it', async () => {
    const alice = await joinedClient(port, 'alice');
    const term = openTerminal();
    await term.waitForText(PROMPT);
    term.type(`${CHAT_JOIN} --host 127.0.0.1 --port ${port} --name dave`);
    await term.waitForText('Welcome, dave!');
    await alice.waitFor((e) => e.type === 'joined' && e.name === 'dave', 'dave joining');
    term.kill();
    // A hang-up that merely dropped the socket would show as a lost connection, not a quit.
    await alice.waitFor((e) => e.type === 'left' && e.name === 'dave', 'dave leaving');
    expect(alice.events).toContainEqual(expect.objectContaining({ type: 'left', name: 'dave', reason: 'quit' }));
  });

  it('shows escape sequences, C1 and bidi controls and carriage returns from a hostile server as visible text, lines up wide characters, and quits on Ctrl+C', async () => {
    const fake = await FakeServer.start();
    try {
      const term = openTerminal();
      await term.waitForText(PROMPT);
      term.type(`${CHAT_JOIN} --host 127.0.0.1 --port ${fake.port} --name victim; ${SHOW_EXIT}`);
      await fake.waitForReceived((line) => line === '{"type":"hello","name":"victim"}');
      const messages = [
        '\u001b[2J\u001b[31mRED\u001b]0;pwned\u0007 after',
        'line one\rmallory: forged line',
        'c1\u009b31m here',
        'abc\u202egnp.exe',
        '世界 😀 wide',
      ];
      await fake.send([
        JSON.stringify({ type: 'welcome', name: 'victim', room: '#lobby', users: ['mallory', 'victim'], count: 2 }),
        ...messages.map((text, id) => JSON.stringify({ type: 'message', room: '#lobby', from: 'mallory', text, ts: Date.now(), id })),
      ]);
      const screen = await term.waitForText('wide');
      expect(screen).toContain('Welcome, victim!');
      expect(screen).toContain('mallory: ␛[2J␛[31mRED␛]0;pwned␇ after');
      expect(screen).toContain('mallory: line one⏎mallory: forged line');
      expect(screen).toContain('mallory: c1�31m here');
      expect(screen).toContain('mallory: abcgnp.exe');

      // No colour reached the terminal from the message: the word RED is drawn in the default colour.
      const redRow = term.captureWithAttributes().split('\n').find((row) => row.includes('RED'))!;
      expect(foregroundAt(redRow, 'RED')).toEqual([]);
      expect(foregroundAt(redRow, 'mallory')).not.toEqual([]);

      // Wide characters take two cells: the users pane border stays in its column on that row.
      const rows = screen.split('\n');
      const wideRow = rows.find((row) => row.includes('世界'))!;
      const plainRow = rows.find((row) => row.includes('line one'))!;
      const borderColumn = 120 - 24;
      expect(charAtColumn(wideRow, borderColumn)).toBe(charAtColumn(plainRow, borderColumn));
      expect(charAtColumn(plainRow, borderColumn)).toMatch(/[│x]/);

      // PgUp scrolls back and the view stays there while new lines are counted; PgDn returns.
      const filler = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) =>
          JSON.stringify({ type: 'message', room: '#lobby', from: 'mallory', text: `filler ${from + i}`, ts: Date.now(), id: 100 + from + i }),
        );
      await fake.send(filler(1, 60));
      await term.waitForText('filler 60');
      term.keys('PageUp');
      await term.waitFor((screen) => !screen.includes('filler 60') && screen.includes('(PgDn)'), 'the view scrolled back');
      await fake.send(filler(61, 2));
      await term.waitForText('↓ 2 new (PgDn)');
      expect(term.capture()).not.toContain('filler 62');
      term.keys('PageDown', 'PageDown');
      const bottom = await term.waitForText('filler 62');
      expect(bottom).not.toContain('(PgDn)');

      term.keys('C-c');
      await fake.waitForReceived((line) => line === '{"type":"quit"}');
      await term.waitForText('exit=0');
    } finally {
      await fake.stop();
    }
  });
});
