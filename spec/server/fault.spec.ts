import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

/** Generous: on a slow, busy machine a few thousand lines over loopback can take a while. */
const SLOW_WAIT_MS = 30_000;

type Frame = Record<string, unknown>;

/** Live chat messages a JSON client received (not history replayed to it when it joined). */
function liveMessages(client: LineClient, from?: string): Frame[] {
  return client.frames.filter((f) => f.type === 'message' && f.history !== true && (from === undefined || f.from === from));
}

function leavesOf(client: LineClient, name: string): Frame[] {
  return client.frames.filter((f) => f.type === 'left' && f.name === name);
}

/** Lets other I/O (the server's, the other clients') run between bursts of writes. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

describe('fault tests: abrupt disconnects, floods and stalled readers against a live server', () => {
  let t: TestServer | undefined;
  const extra: LineClient[] = [];
  afterEach(async () => {
    for (const client of extra.splice(0)) client.close();
    await t?.stop();
    t = undefined;
  });

  it('when half the clients are reset in the middle of a broadcast, everyone else sees each leave once, and the names are free again', async () => {
    t = await startTestServer();
    const server = t;
    const survivorNames = Array.from({ length: 10 }, (_, i) => `survivor${i}`);
    const victimNames = Array.from({ length: 10 }, (_, i) => `victim${i}`);
    const survivors: LineClient[] = [];
    const victims: LineClient[] = [];
    // Interleaved, so that victims and survivors are mixed in every data structure of the server.
    for (let i = 0; i < 10; i++) {
      survivors.push(await server.json(survivorNames[i]));
      victims.push(await server.json(victimNames[i]));
    }
    const [broadcaster] = survivors;

    const BATCHES = 40;
    const PER_BATCH = 10;
    const total = BATCHES * PER_BATCH;
    for (let batch = 0; batch < BATCHES; batch++) {
      let lines = '';
      for (let i = 0; i < PER_BATCH; i++) lines += `${JSON.stringify({ type: 'say', text: `b${batch * PER_BATCH + i}` })}\n`;
      broadcaster.socket.write(lines);
      if (batch === BATCHES / 2) {
        // Mid-broadcast: the victims have seen some of it and have more in flight. A reset (RST), not
        // a polite FIN: the server's next write to them fails.
        await victims[0].until(() => liveMessages(victims[0]).length > 0, 'the broadcast to reach a victim', SLOW_WAIT_MS);
        for (const victim of victims) victim.socket.resetAndDestroy();
      }
      await tick();
    }

    for (const survivor of survivors) {
      await survivor.until(() => liveMessages(survivor).length === total, `all ${total} broadcast messages`, SLOW_WAIT_MS);
      await survivor.until(() => victimNames.every((name) => leavesOf(survivor, name).length > 0), 'every victim to leave', SLOW_WAIT_MS);
      expect(liveMessages(survivor).map((f) => f.text)).toEqual(Array.from({ length: total }, (_, i) => `b${i}`));
    }
    await eventually(() => server.server.stats().connections === survivors.length, 'the victims’ connections to be closed', SLOW_WAIT_MS);

    // The names are free again.
    const returned: LineClient[] = [];
    for (const name of victimNames) returned.push(await server.json(name));
    returned.forEach((client, i) => expect(client.frames.find((f) => f.type === 'welcome')).toMatchObject({ name: victimNames[i] }));

    // Everybody keeps chatting: one message from each survivor and each returned user reaches all of them.
    const everyone = [...survivors, ...returned];
    const names = [...survivorNames, ...victimNames];
    everyone.forEach((client, i) => client.sendJson({ type: 'say', text: `after from ${names[i]}` }));
    for (const client of everyone) {
      await client.until(
        () => names.every((name) => client.frames.some((f) => f.type === 'message' && f.history !== true && f.text === `after from ${name}`)),
        'a message from everyone after the crash',
        SLOW_WAIT_MS,
      );
    }

    // By now any duplicate leave would have arrived (a connection's events are in order): exactly one each,
    // reported as an ordinary disconnect, and before the name was taken again.
    for (const survivor of survivors) {
      for (const name of victimNames) {
        const leaves = leavesOf(survivor, name);
        expect(leaves).toHaveLength(1);
        expect(leaves[0]).toMatchObject({ reason: 'disconnect' });
        const leftAt = survivor.frames.indexOf(leaves[0]);
        expect(leftAt).toBeGreaterThanOrEqual(0);
        // The name joins once before the leave (the victim) and once after it (the returning user).
        const joins = survivor.frames.flatMap((f, i) => (f.type === 'joined' && f.name === name ? [i] : []));
        expect(joins.filter((at) => at > leftAt)).toHaveLength(1);
      }
    }
    expect(server.server.stats().connections).toBe(everyone.length);
  }, 60_000);

  it('rate limits and then disconnects a flooder while everyone else’s messages all arrive, in order', async () => {
    const burst = 20;
    const ratePerSecond = 5;
    // Enough refusals before the cut-off that the flood goes on while the others talk.
    t = await startTestServer({ ratePerSecond, burst, floodDisconnectAfter: 1000 });
    const server = t;
    const started = Date.now();
    const flooder = await server.text('flooder');
    const talkers = [await server.text('tina'), await server.json('jim'), await server.text('tom'), await server.json('jane')];
    const talkerNames = ['tina', 'jim', 'tom', 'jane'];
    const isJson = (i: number) => i % 2 === 1;
    /** Well within the burst (the hello took one token), so a normal talker is never refused. */
    const PER_TALKER = 15;

    // The flood runs in the background, a few hundred lines at a time, until the server hangs up.
    let floodLines = 0;
    const flood = (async () => {
      while (!flooder.closed && floodLines < 20_000) {
        let lines = '';
        for (let i = 0; i < 200; i++) lines += `flood ${floodLines++}\n`;
        flooder.socket.write(lines);
        await tick();
      }
    })();

    // Meanwhile the others talk at a human pace, in small pastes.
    const PASTE = 3;
    for (let round = 0; round < PER_TALKER / PASTE; round++) {
      talkers.forEach((talker, i) => {
        for (let k = round * PASTE; k < (round + 1) * PASTE; k++) {
          if (isJson(i)) talker.sendJson({ type: 'say', text: `${talkerNames[i]} ${k}` });
          else talker.send(`${talkerNames[i]} ${k}`);
        }
      });
      await tick();
    }
    await flood;

    expect(await flooder.waitForLine((line) => line.includes('too fast'))).toMatch(/^\*\*\* Error: you are sending too fast.*wait \d+ ms$/);
    await flooder.waitForLine((line) => line.includes('disconnected for flooding'));
    await flooder.waitForClose();

    const expected = talkerNames.flatMap((name) => Array.from({ length: PER_TALKER }, (_, k) => `${name}: ${name} ${k}`));
    for (const [i, talker] of talkers.entries()) {
      // Every talker sees every talker's messages, each sender's in the order sent.
      const seen = () =>
        isJson(i)
          ? liveMessages(talker).filter((f) => talkerNames.includes(f.from as string)).map((f) => `${f.from}: ${f.text}`)
          : talker.lines.filter((line) => talkerNames.some((name) => line.startsWith(`${name}: `)));
      await talker.until(() => seen().length >= expected.length, 'every talker’s messages', SLOW_WAIT_MS);
      for (const name of talkerNames) {
        expect(seen().filter((line) => line.startsWith(`${name}: `))).toEqual(expected.filter((line) => line.startsWith(`${name}: `)));
      }
      expect(talker.lines.some((line) => line.includes('too fast') || line.includes('rate_limited'))).toBe(false);
      expect(talker.closed).toBe(false);
    }

    // The others are told once that the flooder left, and why.
    const jim = talkers[1];
    await jim.until(() => leavesOf(jim, 'flooder').length > 0, 'the flooder to leave');
    const tina = talkers[0];
    await tina.waitForLine((line) => line.startsWith('*** flooder left') && line.includes('flooding'));

    // Only what the bucket allowed was broadcast, in order: the burst plus the refill over the whole test.
    const elapsedSeconds = (Date.now() - started) / 1000;
    const floodSeen = liveMessages(jim, 'flooder').map((f) => Number(String(f.text).split(' ')[1]));
    expect(floodSeen.length).toBeGreaterThan(0);
    expect(floodSeen.length).toBeLessThanOrEqual(burst + ratePerSecond * elapsedSeconds);
    expect([...floodSeen].sort((a, b) => a - b)).toEqual(floodSeen);
    expect(floodLines).toBeGreaterThan(floodSeen.length);
    await eventually(() => server.server.stats().connections === talkers.length, 'the flooder’s connection to close');
    // Any second leave would have reached jim before a message sent after the flooder was gone.
    tina.send('done');
    await jim.waitForJson((f) => f.type === 'message' && f.from === 'tina' && f.text === 'done');
    expect(leavesOf(jim, 'flooder')).toEqual([expect.objectContaining({ reason: 'flood' })]);
  }, 60_000);

  it('a JSON client that stops reading loses only old messages, gets a gap frame on resuming, and costs bounded memory; nobody else loses anything', async () => {
    // Above what one read of a sender's socket (64 KiB of input) can broadcast in one turn of the event
    // loop: output beyond the socket's buffer and this queue within one turn is dropped even for a fast
    // reader, and the watcher must lose nothing.
    const sendQueueBytes = 128 * 1024;
    t = await startTestServer({ sendQueueBytes, slowTimeoutMs: 120_000 });
    const server = t;
    const slow = await server.json('slow');
    const senders = [await server.json('ann'), await server.json('ben')];
    const watcher = await server.json('watcher');
    slow.socket.pause();

    const padding = 'x'.repeat(1000);
    let sent = 0;
    /** One batch from each sender, alternating; waits until the watcher has all of it. */
    const batch = async (count: number) => {
      for (const sender of senders) {
        let lines = '';
        for (let i = 0; i < count; i++) lines += `${JSON.stringify({ type: 'say', text: `${sent++} ${padding}` })}\n`;
        sender.socket.write(lines);
      }
      await watcher.until(() => liveMessages(watcher).length === sent, `${sent} messages at the watcher`, SLOW_WAIT_MS);
    };

    let peakPending = 0;
    // Talk until the kernel's buffers toward the slow client are full and its queue is at the bound.
    while (peakPending < sendQueueBytes) {
      if (sent > 100_000) throw new Error(`the slow client's queue never filled (peak ${peakPending} bytes)`);
      await batch(250);
      peakPending = Math.max(peakPending, server.server.stats().maxPendingBytes);
    }
    // A newcomer's arrival is a notice: it must reach the slow client even while its messages are dropped.
    const latecomer = await server.json('latecomer');
    extra.push(latecomer);
    for (let i = 0; i < 4; i++) {
      await batch(250);
      // Our queue is bounded; the socket's own buffer adds at most its high-water mark and one write.
      expect(server.server.stats().maxPendingBytes).toBeLessThanOrEqual(sendQueueBytes + 64 * 1024);
    }
    senders[0].sendJson({ type: 'say', text: 'the end' });
    sent += 1;
    await watcher.until(() => liveMessages(watcher).length === sent, 'the last message at the watcher', SLOW_WAIT_MS);

    // Nobody else lost anything, and each sender's messages arrived in order.
    expect(liveMessages(watcher)).toHaveLength(sent);
    for (const sender of senders) {
      const numbers = liveMessages(watcher, sender === senders[0] ? 'ann' : 'ben')
        .filter((f) => f.text !== 'the end')
        .map((f) => Number(String(f.text).split(' ')[0]));
      expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    }
    await latecomer.until(() => liveMessages(latecomer, 'ann').some((f) => f.text === 'the end'), 'the last message at the latecomer');

    slow.socket.resume();
    await slow.until(() => liveMessages(slow).some((f) => f.text === 'the end'), 'the last message at the slow client', SLOW_WAIT_MS);
    const gaps = slow.frames.filter((f) => f.type === 'gap');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    for (const gap of gaps) expect(gap).toEqual({ type: 'gap', missed: expect.any(Number) });
    const missed = gaps.reduce((sum, gap) => sum + (gap.missed as number), 0);
    expect(missed).toBeGreaterThan(0);
    const received = liveMessages(slow);
    expect(received.length + missed).toBe(sent);
    // What did arrive is in the room's order (ids increase), nothing twice, and ends with the newest.
    const ids = received.map((f) => f.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(received[received.length - 1]).toMatchObject({ from: 'ann', text: 'the end' });
    // Notices are never dropped.
    expect(slow.frames.some((f) => f.type === 'joined' && f.name === 'latecomer')).toBe(true);
    expect(slow.closed).toBe(false);
  }, 90_000);
});
