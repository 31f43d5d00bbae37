import { connect as tlsConnect } from 'tls';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

describe('hardening: slow consumers, floods, timeouts, caps and hostile input', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  /** Sends `count` numbered messages of about 1 KB from `sender` and waits until `reader` has them all. */
  async function broadcast(sender: LineClient, reader: LineClient, first: number, count: number): Promise<void> {
    const padding = 'x'.repeat(1000);
    let batch = '';
    for (let i = first; i < first + count; i++) batch += `msg ${i} ${padding}\n`;
    const start = reader.lines.length;
    sender.socket.write(batch);
    const last = `sender: msg ${first + count - 1} `;
    await reader.waitForLine((line) => line.startsWith(last), start);
  }

  it('drops the oldest messages for a reader that stalls, tells it how many, and bounds memory; others lose nothing', async () => {
    const sendQueueBytes = 64 * 1024;
    t = await startTestServer({ sendQueueBytes, slowTimeoutMs: 120_000 });
    const slow = await t.text('slow');
    const sender = await t.text('sender');
    const watcher = await t.text('watcher');
    slow.socket.pause();
    let sent = 0;
    let peakPending = 0;
    // Keep talking until the kernel's buffers are full and the server has had to drop for the slow one.
    while (sent < 60_000) {
      await broadcast(sender, watcher, sent, 1000);
      sent += 1000;
      peakPending = Math.max(peakPending, t.server.stats().maxPendingBytes);
      if (peakPending >= sendQueueBytes) break;
    }
    expect(peakPending).toBeGreaterThanOrEqual(sendQueueBytes);
    for (let i = 0; i < 5; i++) {
      await broadcast(sender, watcher, sent, 1000);
      sent += 1000;
      // Our queue is bounded; the socket's own buffer adds at most its high-water mark and one write.
      expect(t.server.stats().maxPendingBytes).toBeLessThanOrEqual(sendQueueBytes + 64 * 1024);
    }
    sender.send('the end');

    const watched = watcher.lines.filter((line) => line.startsWith('sender: msg '));
    expect(watched).toHaveLength(sent);

    slow.socket.resume();
    await slow.waitForLine((line) => line === 'sender: the end');
    const gaps = slow.lines.filter((line) => line.includes('dropped because your connection could not keep up'));
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    const missed = gaps.map((line) => Number(/\*\*\* (\d+) message/.exec(line)![1])).reduce((a, b) => a + b, 0);
    const received = slow.lines.filter((line) => line.startsWith('sender: msg ')).map((line) => Number(line.split(' ')[2]));
    expect(received.length + missed).toBe(sent);
    // What arrived is in order, ends with the newest, and nothing arrived twice.
    expect([...received].sort((a, b) => a - b)).toEqual(received);
    expect(new Set(received).size).toBe(received.length);
    expect(received[received.length - 1]).toBe(sent - 1);
    expect(slow.closed).toBe(false);
  }, 120_000);

  it('absorbs a burst far larger than the send queue without loss: input is held while readers catch up', async () => {
    // 32 KiB queues, and five senders each pouring 400 KB at once into three readers that read normally.
    t = await startTestServer({ sendQueueBytes: 32 * 1024 });
    const senders = await Promise.all([1, 2, 3, 4, 5].map((n) => t!.text(`sender${n}`)));
    const readers = await Promise.all([1, 2, 3].map((n) => t!.json(`reader${n}`)));
    const padding = 'y'.repeat(1000);
    for (const [n, sender] of senders.entries()) {
      let batch = '';
      for (let i = 0; i < 400; i++) batch += `${n}:${i} ${padding}\n`;
      sender.socket.write(batch);
    }
    for (const reader of readers) {
      await reader.until(() => reader.frames.filter((f) => f.type === 'message').length === 2000, 'all 2,000 messages', 60_000);
      expect(reader.frames.some((f) => f.type === 'gap')).toBe(false);
      // Each sender's messages arrive complete and in order.
      for (let n = 0; n < 5; n++) {
        const seen = reader.frames.filter((f) => f.type === 'message' && f.from === `sender${n + 1}`).map((f) => Number(String(f.text).split(/[: ]/)[1]));
        expect(seen).toEqual(Array.from({ length: 400 }, (_, i) => i));
      }
    }
    expect(t.server.stats().traffic.droppedMessages).toBe(0);
  }, 90_000);

  it('disconnects a reader that stays behind past the slow timeout, and tells the room it was too slow', async () => {
    t = await startTestServer({ sendQueueBytes: 64 * 1024, slowTimeoutMs: 500 });
    const slow = await t.text('slow');
    const sender = await t.text('sender');
    const watcher = await t.text('watcher');
    slow.socket.pause();
    let sent = 0;
    while (!watcher.lines.includes('*** slow left the chat (too slow to keep up)')) {
      if (sent > 100_000) throw new Error('the slow reader was never disconnected');
      await broadcast(sender, watcher, sent, 1000);
      sent += 1000;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(watcher.lines.filter((line) => line.includes('slow left the chat'))).toHaveLength(1);
    await eventually(() => t!.server.stats().connections === 2, 'the slow connection to be closed');
  }, 120_000);

  it('lets a short paste through, refuses a flood with rate_limited and a retry time, then disconnects the flooder', async () => {
    t = await startTestServer({ ratePerSecond: 5, burst: 10, floodDisconnectAfter: 30 });
    const flooder = await t.json('flooder');
    const bob = await t.json('bob');
    // Let the bucket refill after the hello; this waits for a minimum, it asserts nothing about time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    let paste = '';
    for (let i = 0; i < 15; i++) paste += `${JSON.stringify({ type: 'say', text: `line ${i}` })}\n`;
    flooder.socket.write(paste);
    const refused = await flooder.waitForJson((f) => f.code === 'rate_limited');
    expect(refused).toMatchObject({ type: 'error', retryAfterMs: expect.any(Number), message: expect.stringContaining('too fast') });
    expect(refused.retryAfterMs as number).toBeGreaterThan(0);
    await flooder.until(() => flooder.frames.filter((f) => f.code === 'rate_limited').length === 5, 'five refusals');
    const delivered = bob.frames.filter((f) => f.type === 'message').map((f) => f.text);
    await bob.until(() => bob.frames.filter((f) => f.type === 'message').length >= 10, 'the paste');
    expect(bob.frames.filter((f) => f.type === 'message').map((f) => f.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${i}`),
    );
    void delivered;

    flooder.socket.write(paste.repeat(4));
    expect(await flooder.waitForJson((f) => f.type === 'bye')).toMatchObject({ reason: 'flood' });
    await flooder.waitForClose();
    expect(await bob.waitForJson((f) => f.type === 'left')).toMatchObject({ name: 'flooder', reason: 'flood' });
  });

  it('never refuses a quit, even from a client that is being rate limited', async () => {
    t = await startTestServer({ ratePerSecond: 1, burst: 1, floodDisconnectAfter: 1000 });
    const alice = await t.text('alice');
    alice.socket.write('a\nb\nc\n/quit\n');
    await alice.waitForLine((line) => line === '*** Goodbye, alice!');
  });

  it('closes a connection that never chooses a name', async () => {
    t = await startTestServer({ registerTimeoutMs: 300 });
    const lurker = await t.open();
    expect(await lurker.waitForLine((line) => line.includes('No name'))).toBe('*** No name was chosen within 0.3 s. Goodbye!');
    await lurker.waitForClose();
  });

  it('pings quiet JSON clients, drops those that never answer, keeps those that do, and leaves text users alone', async () => {
    t = await startTestServer({ pingIntervalMs: 200, pingTimeoutMs: 400 });
    const text = await t.text('netcat');
    const alive = await t.json('alive');
    alive.socket.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"type":"ping"')) alive.sendJson({ type: 'pong' });
    });
    const silent = await t.json('silent');
    expect(await silent.waitForJson((f) => f.type === 'ping')).toEqual({ type: 'ping' });
    expect(await silent.waitForJson((f) => f.type === 'bye')).toMatchObject({ reason: 'timeout' });
    await silent.waitForClose();
    await text.waitForLine((line) => line === '*** silent left the chat (timed out)');
    await alive.until(() => alive.frames.filter((f) => f.type === 'ping').length >= 3, 'three pings');
    expect(alive.closed).toBe(false);
    expect(text.closed).toBe(false);
    expect(text.lines.some((line) => line.includes('ping'))).toBe(false);
  });

  it('answers a client ping with a pong', async () => {
    t = await startTestServer();
    const alice = await t.json('alice');
    alice.sendJson({ type: 'ping' });
    expect(await alice.waitForJson((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('turns away connections past --max-connections with a one-line reason', async () => {
    t = await startTestServer({ maxConnections: 2 });
    await t.text('one');
    await t.text('two');
    const third = await t.open();
    const address = `127.0.0.1:${third.socket.localPort}`;
    expect(await third.waitForLine((line) => line.includes('full'))).toBe('*** Error: the server is full (2 connections); try again later');
    await third.waitForClose();
    // The log says who was turned away and why: a connection that never got a name leaves no other trace.
    expect(t.logs.find((line) => line.includes(`refused ${address}`))).toMatch(/warn .*refused 127\.0\.0\.1:\d+: the server is full/);
  });

  it('caps connections per address (loopback too, when not exempt)', async () => {
    t = await startTestServer({ maxPerIp: 1, exemptLoopback: false });
    const first = await t.text('first');
    const second = await t.open();
    expect(await second.waitForLine((line) => line.includes('too many'))).toBe('*** Error: too many connections from your address (at most 1)');
    await second.waitForClose();
    first.send('/quit');
    await first.waitForClose();
    await eventually(() => t!.server.stats().connections === 0, 'the first connection to close');
    await t.text('third');
  });

  it('exempts loopback from the per-address cap by default', async () => {
    t = await startTestServer({ maxPerIp: 1 });
    await t.text('first');
    await t.text('second');
  });

  it('answers an HTTP request with one explanatory line and closes', async () => {
    t = await startTestServer();
    const browser = await t.open();
    browser.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await browser.waitForLine((line) => line.includes('not a web server'))).toContain('chat server');
    await browser.waitForClose();
  });

  it('closes a TLS handshake sent to the plain port, and carries on', async () => {
    t = await startTestServer();
    const { port } = t;
    await new Promise<void>((resolve) => {
      const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    const alice = await t.text('alice');
    alice.send('fine');
    await alice.waitForLine((line) => line === 'alice: fine');
  });

  it('removes NUL bytes from messages; a lone carriage return ends a line (old terminals send it)', async () => {
    t = await startTestServer();
    const alice = await t.text('alice');
    const from = alice.lines.length;
    alice.socket.write('a\u0000b\rc\n');
    await alice.waitForLine((line) => line === 'alice: c', from);
    expect(alice.lines.slice(from).filter((line) => line.startsWith('alice: '))).toEqual(['alice: ab', 'alice: c']);
  });

  it('survives deeply nested JSON and ignores extra fields', async () => {
    t = await startTestServer();
    const alice = await t.json('alice');
    alice.send(`{"type":"say","text":"deep","x":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    alice.send(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    await alice.waitForJson((f) => f.type === 'message' && f.text === 'deep');
    await alice.waitForJson((f) => f.type === 'error' && f.code === 'bad_frame');
  });
});
