import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { joinedClient, quitAll } from '../client/client-helpers';
import { createTestCertificate, TestCertificate } from '../support/certificate';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

const ROOT = join(__dirname, '../..');
/** Starting a bot compiles it through tsx; a slow machine needs a while the first time. */
const START_MS = 30_000;

/** The dice bot's line for a roll: `alice rolls 2d6: 3 + 5 = 8` or `alice rolls 1d20: 17`. */
const ROLL = /^(\S+) rolls (\d+)d(\d+): (.+)$/;

describe('the example bots, each run as a real process against a real server', () => {
  let server: TestServer | undefined;
  const bots: CliProcess[] = [];

  afterEach(async () => {
    for (const bot of bots.splice(0)) {
      bot.kill();
      await bot.exited;
    }
    await quitAll();
    await server?.stop();
    server = undefined;
  });

  /** Runs `examples/<script>.ts` with `args` (after --host 127.0.0.1 --port <the server's>). */
  function runBot(script: string, args: string[] = [], port = server!.port): CliProcess {
    const bot = new CliProcess(
      spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', `${script}.ts`), '--host', '127.0.0.1', '--port', String(port), ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    bots.push(bot);
    return bot;
  }

  /** Runs a bot and waits until it says it is in its rooms. */
  async function startBot(script: string, args: string[] = []): Promise<CliProcess> {
    const bot = runBot(script, args);
    await eventually(() => {
      if (bot.exitCode !== null) throw new Error(`${script} exited early (${bot.exitCode}):\n${bot.stderr}`);
      return / ready in /.test(bot.stderr);
    }, `${script} to start`, START_MS);
    return bot;
  }

  /** Sends `line` as a text user and waits for the first line after it that matches. */
  async function ask(user: LineClient, line: string, match: (line: string) => boolean): Promise<string> {
    const from = user.lines.length;
    user.send(line);
    return user.waitForLine(match, from);
  }

  describe('greeter-bot', () => {
    it('welcomes each joiner in every room it is in', async () => {
      server = await startTestServer();
      const bot = await startBot('greeter-bot', ['--room', '#dev']);
      expect(bot.stderr).toContain('greeter: ready in #lobby, #dev as greeter');

      const alice = await server.text('alice');
      await alice.waitForLine((line) => line === 'greeter: Welcome to #lobby, alice! 👋');

      const bob = await server.json('bob');
      await alice.waitForLine((line) => line === 'greeter: Welcome to #lobby, bob! 👋');
      bob.sendJson({ type: 'join', room: '#dev' });
      const greeting = await bob.waitForJson((f) => f.type === 'message' && f.room === '#dev');
      expect(greeting).toMatchObject({ from: 'greeter', text: 'Welcome to #dev, bob! 👋' });
      // Alice is not in #dev: she hears nothing of it.
      const marker = await ask(alice, 'still here', (line) => line === 'alice: still here');
      expect(alice.lines.filter((line) => line.includes('#dev'))).toEqual([]);
      expect(marker).toBeDefined();
    });

    it('takes --name, and exits 1 saying why when the name is taken', async () => {
      server = await startTestServer();
      await startBot('greeter-bot', ['--name', 'doorman']);
      const alice = await server.text('alice');
      await alice.waitForLine((line) => line === 'doorman: Welcome to #lobby, alice! 👋');
      const second = runBot('greeter-bot', ['--name', 'Doorman']);
      expect(await second.exited).toBe(1);
      expect(second.stderr).toMatch(/^Doorman: name "Doorman" is taken/m);
    });
  });

  describe('echo-bot (the one in docs/CLIENT.md)', () => {
    it('is the bot docs/CLIENT.md shows, line for line', () => {
      const doc = readFileSync(join(ROOT, 'docs/CLIENT.md'), 'utf8');
      const shown = /### Write your own bot[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
      // The file is the docs' code after its own header comment.
      const file = readFileSync(join(ROOT, 'examples/echo-bot.ts'), 'utf8').replace(/^\/\*\*[\s\S]*?\*\/\n/, '');
      expect(shown).toBe(file);
    });


    it('repeats !echo lines in the room they were said in, and nothing else', async () => {
      server = await startTestServer();
      await startBot('echo-bot');
      const alice = await server.text('alice');
      alice.send('no command here');
      const echoed = await ask(alice, '!echo hello there', (line) => line.startsWith('echo: '));
      expect(echoed).toBe('echo: hello there');
      expect(alice.lines.filter((line) => line.startsWith('echo: '))).toEqual(['echo: hello there']);
    });
  });

  describe('dice-bot', () => {
    it('rolls dice within range, tells the time, lists its commands, and ignores commands it does not know', async () => {
      server = await startTestServer();
      await startBot('dice-bot');
      const alice = await server.text('alice');

      for (const [spec, count, sides] of [['2d6', 2, 6], ['d20', 1, 20], ['20d1000', 20, 1000], ['3D4', 3, 4]] as const) {
        for (let attempt = 0; attempt < 3; attempt++) {
          const line = await ask(alice, `!roll ${spec}`, (l) => l.startsWith('dice: '));
          const match = ROLL.exec(line.slice('dice: '.length));
          expect(match).not.toBeNull();
          const [, who, n, m, result] = match!;
          expect([who, Number(n), Number(m)]).toEqual(['alice', count, sides]);
          const [diceText, totalText] = count === 1 ? [result, result] : result.split(' = ');
          const dice = diceText.split(' + ').map(Number);
          expect(dice).toHaveLength(count);
          for (const die of dice) {
            expect(Number.isInteger(die)).toBe(true);
            expect(die).toBeGreaterThanOrEqual(1);
            expect(die).toBeLessThanOrEqual(sides);
          }
          expect(Number(totalText)).toBe(dice.reduce((a, b) => a + b, 0));
        }
      }

      const time = await ask(alice, '!time', (l) => l.startsWith('dice: '));
      expect(time).toMatch(/^dice: The time is \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\.$/);
      expect(Number.isNaN(Date.parse(time.slice('dice: The time is '.length, -1)))).toBe(false);

      // An unknown command gets no answer: the next answer is the one to !help.
      alice.send('!dance');
      const help = await ask(alice, '!help', (l) => l.startsWith('dice: '));
      expect(help).toBe('dice: Commands: !roll NdM rolls dice (e.g. !roll 2d6), !time tells the time, !help lists these.');
    });

    it('answers a bad dice spec with a friendly usage line', async () => {
      server = await startTestServer();
      await startBot('dice-bot');
      const alice = await server.text('alice');
      for (const spec of ['0d6', '21d6', '2d1', '2d1001', 'abc', '2d6 extra', 'd', '-1d6', '99999999999999999999d6']) {
        const line = await ask(alice, `!roll ${spec}`, (l) => l.startsWith('dice: '));
        expect([spec, line]).toEqual([spec, 'dice: usage: !roll NdM, e.g. !roll 2d6 (1 to 20 dice of 2 to 1000 sides)']);
      }
    });

    it('answers a private message in private, and a JSON user in its room', async () => {
      server = await startTestServer();
      await startBot('dice-bot', ['--room', 'games']);
      const bob = await server.json('bob');
      bob.sendJson({ type: 'msg', to: 'dice', text: '!roll 2d6' });
      const reply = await bob.waitForJson((f) => f.type === 'private' && f.from === 'dice');
      expect(reply.to).toBe('bob');
      expect(reply.text).toMatch(/^bob rolls 2d6: [1-6] \+ [1-6] = \d+$/);

      bob.sendJson({ type: 'join', room: '#games' });
      await bob.waitForJson((f) => f.type === 'entered' && f.room === '#games');
      bob.sendJson({ type: 'say', text: '!roll d6' });
      const inRoom = await bob.waitForJson((f) => f.type === 'message' && f.from === 'dice');
      expect(inRoom).toMatchObject({ room: '#games' });
      expect(inRoom.text).toMatch(/^bob rolls 1d6: [1-6]$/);
    });

    it('connects with --ca to a TLS server', async () => {
      const certificate: TestCertificate = createTestCertificate();
      try {
        server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
        await startBot('dice-bot', ['--ca', certificate.certPath]);
        const alice = await joinedClient(server.port, 'alice', { tls: { ca: certificate.cert } });
        alice.client.say('!roll 2d6');
        const reply = await alice.waitFor((e) => e.type === 'message' && e.from === 'dice', 'the roll over TLS');
        expect(reply).toMatchObject({ text: expect.stringMatching(/^alice rolls 2d6: /) });
      } finally {
        certificate.remove();
      }
    });
  });

  describe('relay-bot', () => {
    it('relays both ways between two rooms, actions too, and never loops', async () => {
      server = await startTestServer();
      await startBot('relay-bot', ['--from', '#a', '--to', 'b']);
      const alice = await server.text('alice');
      await ask(alice, '/join #a', (line) => line.startsWith('*** You are now in #a'));
      const bob = await server.json('bob');
      bob.sendJson({ type: 'join', room: '#b' });
      await bob.waitForJson((f) => f.type === 'entered' && f.room === '#b');
      const relayedToBob = () => bob.frames.filter((f) => f.type === 'message' && f.from === 'relay').map((f) => [f.room, f.text]);
      const relayedToAlice = () => alice.lines.filter((line) => line.startsWith('relay: '));

      alice.send('hi from a');
      await bob.until(() => relayedToBob().length === 1, 'the relay of alice’s line');
      expect(relayedToBob()).toEqual([['#b', '[#a] alice: hi from a']]);

      bob.sendJson({ type: 'say', text: 'hi from b' });
      await alice.waitForLine((line) => line === 'relay: [#b] bob: hi from b');
      alice.send('/me waves');
      await bob.until(() => relayedToBob().length === 2, 'the relay of alice’s action');
      expect(relayedToBob()[1]).toEqual(['#b', '[#a] * alice waves']);

      // The lobby is not relayed, and nothing came back: once this last line has been relayed, every
      // loop would have shown already, since the bot handles its rooms' lines in order.
      const carol = await server.text('carol');
      carol.send('lobby talk');
      await carol.waitForLine((line) => line === 'carol: lobby talk');
      bob.sendJson({ type: 'say', text: 'last' });
      await alice.waitForLine((line) => line === 'relay: [#b] bob: last');
      expect(relayedToAlice()).toEqual(['relay: [#b] bob: hi from b', 'relay: [#b] bob: last']);
      expect(relayedToBob()).toEqual([
        ['#b', '[#a] alice: hi from a'],
        ['#b', '[#a] * alice waves'],
      ]);
    });

    it('two relays between the same rooms do not echo each other', async () => {
      server = await startTestServer();
      await Promise.all([startBot('relay-bot', ['--from', '#a', '--to', '#b', '--name', 'r1']), startBot('relay-bot', ['--from', '#b', '--to', '#a', '--name', 'r2'])]);
      const alice = await server.json('alice');
      alice.sendJson({ type: 'join', room: '#a' });
      const bob = await server.json('bob');
      bob.sendJson({ type: 'join', room: '#b' });
      await bob.waitForJson((f) => f.type === 'entered' && f.room === '#b');
      const relayed = (user: LineClient) =>
        user.frames.filter((f) => f.type === 'message' && (f.from === 'r1' || f.from === 'r2')).map((f) => `${String(f.from)} ${String(f.text)}`).sort();

      alice.sendJson({ type: 'say', text: 'ping', room: '#a' });
      await bob.until(() => relayed(bob).length === 2, 'both relays of ping');
      bob.sendJson({ type: 'say', text: 'pong', room: '#b' });
      await alice.until(() => relayed(alice).length === 2, 'both relays of pong');
      // Each bot relays the other's copy of ping only if it loops; that copy would come before pong's.
      bob.sendJson({ type: 'say', text: 'done', room: '#b' });
      await alice.until(() => relayed(alice).length >= 4, 'both relays of done');
      expect(relayed(alice)).toEqual(['r1 [#b] bob: done', 'r1 [#b] bob: pong', 'r2 [#b] bob: done', 'r2 [#b] bob: pong']);
      expect(relayed(bob)).toEqual(['r1 [#a] alice: ping', 'r2 [#a] alice: ping']);
    });

    it('refuses the same room twice, and says why it cannot connect', async () => {
      const same = runBot('relay-bot', ['--from', '#a', '--to', 'A'], 1);
      const unreachable = runBot('relay-bot', ['--from', '#a', '--to', '#b'], 1);
      expect(await same.exited).toBe(1);
      expect(same.stderr).toContain('--from and --to must be two different rooms');
      expect(await unreachable.exited).toBe(1);
      expect(unreachable.stderr).toBe('relay: cannot connect to 127.0.0.1:1: connection refused (is the server running?)\n');
    });
  });
});
