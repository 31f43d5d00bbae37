import { LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

/** Lines after `from` that are not the greeting or welcome, to compare exactly. */
function linesSince(client: LineClient, from: number): string[] {
  return client.lines.slice(from);
}

describe('rooms and commands over TCP', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ historyLength: 3, motd: 'Be kind.' });
  });
  afterEach(() => t.stop());

  describe('text mode', () => {
    it('/join creates and switches rooms; plain lines go to the current room; other rooms carry their name', async () => {
      const alice = await t.text('alice');
      const bob = await t.text('bob');
      alice.send('/join #dev');
      expect(await alice.waitForLine((l) => l.includes('You are now in #dev'))).toBe(
        '*** You are now in #dev: 1 user: alice. Lines you type go to #dev.',
      );
      alice.send('in dev');
      await alice.waitForLine((l) => l === 'alice: in dev');
      bob.send('/join dev');
      await bob.waitForLine((l) => l.startsWith('*** You are now in #dev: 2 users: alice, bob'));
      await bob.waitForLine((l) => l === '[history] alice: in dev');
      await alice.waitForLine((l) => l === '*** bob joined #dev');
      // bob switches back to the lobby: #dev lines now carry the room's name for him.
      bob.send('/join #lobby');
      await bob.waitForLine((l) => l.startsWith('*** You are now in #lobby'));
      const start = bob.lines.length;
      alice.send('still in dev');
      expect(await bob.waitForLine((l) => l.includes('still in dev'), start)).toBe('[#dev] alice: still in dev');
      bob.send('hello lobby');
      expect(await alice.waitForLine((l) => l.includes('hello lobby'))).toBe('[#lobby] bob: hello lobby');
    });

    it('join and part notices go to that room only; /part falls back to another room', async () => {
      const alice = await t.text('alice');
      const carol = await t.text('carol');
      const bob = await t.text('bob');
      alice.send('/join #dev');
      bob.send('/join #dev');
      await alice.waitForLine((l) => l === '*** bob joined #dev');
      bob.send('/part');
      expect(await bob.waitForLine((l) => l.startsWith('*** You left #dev'))).toBe('*** You left #dev. Lines you type go to #lobby.');
      expect(await alice.waitForLine((l) => l === '*** bob left #dev')).toBeTruthy();
      carol.send('sentinel');
      await carol.waitForLine((l) => l === 'carol: sentinel');
      expect(carol.lines.some((l) => l.includes('#dev'))).toBe(false);
    });

    it('/rooms lists rooms with counts; an empty room disappears', async () => {
      const alice = await t.text('alice');
      await t.text('bob');
      alice.send('/join #zeta');
      alice.send('/join #alpha');
      alice.send('/rooms');
      expect(await alice.waitForLine((l) => l.startsWith('*** Rooms:'))).toBe('*** Rooms: #alpha (1), #lobby (2), #zeta (1)');
      alice.send('/part #zeta');
      alice.send('/rooms');
      await alice.until(() => alice.lines.filter((l) => l.startsWith('*** Rooms:')).length === 2, 'a second /rooms');
      expect(alice.lines.filter((l) => l.startsWith('*** Rooms:'))[1]).toBe('*** Rooms: #alpha (1), #lobby (2)');
    });

    it('/names lists the current or a named room; an unknown room is an error', async () => {
      const alice = await t.text('alice');
      await t.text('Bob');
      alice.send('/names');
      expect(await alice.waitForLine((l) => l.startsWith('*** In #lobby'))).toBe('*** In #lobby (2): alice, Bob');
      alice.send('/names #nowhere');
      expect(await alice.waitForLine((l) => l.includes('no room'))).toBe('*** Error: there is no room #nowhere; /rooms lists them');
    });

    it('/msg reaches only that user and echoes to the sender; an unknown name is an error', async () => {
      const alice = await t.text('alice');
      const bob = await t.text('bob');
      const carol = await t.text('carol');
      alice.send('/msg bob psst');
      expect(await bob.waitForLine((l) => l.includes('psst'))).toBe('[private] alice -> bob: psst');
      expect(await alice.waitForLine((l) => l.includes('psst'))).toBe('[private] alice -> bob: psst');
      alice.send('/msg nobody hi');
      expect(await alice.waitForLine((l) => l.includes('nobody'))).toBe('*** Error: nobody named "nobody" is online');
      alice.send('/msg bob');
      expect(await alice.waitForLine((l) => l.includes('usage'))).toBe('*** Error: usage: /msg name text');
      carol.send('sentinel');
      await carol.waitForLine((l) => l === 'carol: sentinel');
      expect(carol.lines.some((l) => l.includes('psst'))).toBe(false);
    });

    it('/nick renames, tells everyone who shares a room, and frees the old name', async () => {
      const alice = await t.text('alice');
      const bob = await t.text('bob');
      alice.send('/nick bob');
      expect(await alice.waitForLine((l) => l.includes('taken'))).toBe('*** Error: name "bob" is taken');
      alice.send('/nick alicia');
      expect(await bob.waitForLine((l) => l.includes('known as'))).toBe('*** alice is now known as alicia');
      await alice.waitForLine((l) => l === '*** alice is now known as alicia');
      alice.send('hi');
      await bob.waitForLine((l) => l === 'alicia: hi');
      await t.text('alice');
    });

    it('/me is shown as an action, and // sends a line starting with /', async () => {
      const alice = await t.text('alice');
      alice.send('/me waves');
      expect(await alice.waitForLine((l) => l.includes('waves'))).toBe('* alice waves');
      alice.send('//shrug');
      expect(await alice.waitForLine((l) => l.includes('shrug'))).toBe('alice: /shrug');
      alice.send('/dance');
      expect(await alice.waitForLine((l) => l.includes('unknown command'))).toBe('*** Error: unknown command /dance; /help lists the commands');
    });

    it('/help lists every command', async () => {
      const alice = await t.text('alice');
      const start = alice.lines.length;
      alice.send('/help');
      await alice.waitForLine((l) => l.includes('//text'), start);
      const help = linesSince(alice, start).join('\n');
      for (const command of ['/join #room', '/part [#room]', '/rooms', '/names [#room]', '/msg name text', '/me action', '/nick newname', '/help', '/quit']) {
        expect(help).toContain(command);
      }
    });

    it('shows the message of the day on welcome, and history marked as such to newcomers', async () => {
      const alice = await t.text('alice');
      expect(alice.lines).toContain('*** Be kind.');
      for (const n of [1, 2, 3, 4]) alice.send(`m${n}`);
      await alice.waitForLine((l) => l === 'alice: m4');
      const bob = await t.text('bob');
      await bob.waitForLine((l) => l === '[history] alice: m4');
      expect(bob.lines.filter((l) => l.startsWith('[history]'))).toEqual(['[history] alice: m2', '[history] alice: m3', '[history] alice: m4']);
    });

    it('leaving the chat is announced once to someone who shared several rooms', async () => {
      const alice = await t.text('alice');
      const bob = await t.text('bob');
      for (const client of [alice, bob]) {
        client.send('/join #a');
        client.send('/join #b');
      }
      await alice.waitForLine((l) => l === '*** bob joined #b');
      bob.send('/quit');
      await alice.waitForLine((l) => l === '*** bob left the chat');
      alice.send('sentinel');
      await alice.waitForLine((l) => l === 'alice: sentinel');
      expect(alice.lines.filter((l) => l.includes('bob left'))).toEqual(['*** bob left the chat']);
    });
  });

  describe('JSON mode', () => {
    it('join/entered, say to a named room, history, part/parted, rooms and names', async () => {
      const alice = await t.json('alice');
      const bob = await t.json('bob');
      expect(alice.frames.find((f) => f.type === 'welcome')).toMatchObject({ room: '#lobby', motd: 'Be kind.' });
      alice.sendJson({ type: 'join', room: '#dev' });
      expect(await alice.waitForJson((f) => f.type === 'entered')).toEqual({ type: 'entered', room: '#dev', users: ['alice'], count: 1 });
      alice.sendJson({ type: 'say', text: 'to dev', room: '#dev' });
      alice.sendJson({ type: 'say', text: 'to lobby', room: '#lobby' });
      expect(await bob.waitForJson((f) => f.type === 'message')).toMatchObject({ room: '#lobby', text: 'to lobby' });
      bob.sendJson({ type: 'say', text: 'x', room: '#dev' });
      expect(await bob.waitForJson((f) => f.type === 'error')).toMatchObject({ code: 'not_in_room' });
      bob.sendJson({ type: 'join', room: 'dev' });
      expect(await bob.waitForJson((f) => f.type === 'message' && f.history === true)).toMatchObject({ room: '#dev', from: 'alice', text: 'to dev' });
      expect(await alice.waitForJson((f) => f.type === 'joined' && f.room === '#dev')).toMatchObject({ name: 'bob' });
      bob.sendJson({ type: 'rooms' });
      expect(await bob.waitForJson((f) => f.type === 'rooms')).toEqual({ type: 'rooms', rooms: [{ room: '#dev', users: 2 }, { room: '#lobby', users: 2 }] });
      bob.sendJson({ type: 'names', room: '#dev' });
      expect(await bob.waitForJson((f) => f.type === 'names')).toEqual({ type: 'names', room: '#dev', users: ['alice', 'bob'] });
      bob.sendJson({ type: 'part', room: '#dev' });
      expect(await bob.waitForJson((f) => f.type === 'parted')).toEqual({ type: 'parted', room: '#dev', current: '#lobby' });
      expect(await alice.waitForJson((f) => f.type === 'left')).toEqual({ type: 'left', name: 'bob', room: '#dev', reason: 'part', ts: expect.any(Number) });
    });

    it('msg, me, nick and help frames', async () => {
      const alice = await t.json('alice');
      const bob = await t.text('bob');
      alice.sendJson({ type: 'msg', to: 'BOB', text: 'psst' });
      await bob.waitForLine((l) => l === '[private] alice -> bob: psst');
      expect(await alice.waitForJson((f) => f.type === 'private')).toEqual({ type: 'private', from: 'alice', to: 'bob', text: 'psst', ts: expect.any(Number), id: expect.any(Number) });
      alice.sendJson({ type: 'me', text: 'waves' });
      expect(await alice.waitForJson((f) => f.type === 'message' && f.action === true)).toMatchObject({ from: 'alice', text: 'waves', room: '#lobby' });
      await bob.waitForLine((l) => l === '* alice waves');
      alice.sendJson({ type: 'nick', name: 'alicia' });
      expect(await alice.waitForJson((f) => f.type === 'nick')).toEqual({ type: 'nick', old: 'alice', name: 'alicia', ts: expect.any(Number) });
      alice.sendJson({ type: 'help' });
      const help = await alice.waitForJson((f) => f.type === 'help');
      expect((help.commands as Array<{ command: string }>).map((c) => c.command)).toEqual(
        expect.arrayContaining(['/join', '/part', '/rooms', '/names', '/msg', '/me', '/nick', '/help', '/quit']),
      );
      alice.sendJson({ type: 'msg', to: 'bob' });
      expect(await alice.waitForJson((f) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
    });
  });

  it('quiet rooms: above --announce-limit nobody is told of joins, and welcome carries only the count', async () => {
    await t.stop();
    t = await startTestServer({ announceLimit: 2 });
    const alice = await t.json('alice');
    await t.json('bob');
    await alice.waitForJson((f) => f.type === 'joined' && f.name === 'bob');
    const carol = await t.json('carol');
    expect(carol.frames.find((f) => f.type === 'welcome')).toMatchObject({ users: [], count: 3 });
    carol.sendJson({ type: 'names' });
    expect(await carol.waitForJson((f) => f.type === 'names')).toMatchObject({ users: ['alice', 'bob', 'carol'] });
    alice.sendJson({ type: 'say', text: 'sentinel' });
    await alice.waitForJson((f) => f.type === 'message');
    expect(alice.frames.some((f) => f.type === 'joined' && f.name === 'carol')).toBe(false);
  });
});
