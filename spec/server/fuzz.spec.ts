import { connect, Socket } from 'net';
import { eventually } from '../support/line-client';
import { SeededRandom } from '../support/seeded-random';
import { startTestServer, TestServer } from '../support/test-server';

/** Fixed, so a failure reproduces; `FUZZ_SEED=n npx jest spec/server/fuzz.spec.ts` tries another. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c4a7);
/** Hostile connections in all, and how many are open at once. */
const FUZZ_CONNECTIONS = 60;
const CONCURRENCY = 12;
/** Pieces each hostile connection sends before it hangs up. */
const MAX_PIECES = 12;
/** The fuzzing stops starting new connections after this, however many are left: the test stays short. */
const FUZZ_BUDGET_MS = 8_000;
/** Small limits, so that random frames land on both sides of them often. */
const MAX_FRAME_BYTES = 2048;
const MAX_MESSAGE_LENGTH = 300;

const VALID_NAMES = ['goodtext', 'goodjson', 'fuzzer', 'Zoë', 'a', 'x'.repeat(32), 'x'.repeat(33)];

/** Characters that matter to a chat protocol: separators, escapes, controls, wide and broken Unicode. */
const TRICKY_CHARS = [
  'a', 'Z', '0', ' ', ':', '#', '/', '*', '"', '\\', '{', '}', '[', ']', '\n', '\r', '\t', '\u0000', '\u0007',
  '\u001b[2J', '\u200b', '\u202e', 'é', 'e\u0301', '😀', '\ud800', '\udfff', '\uffff',
];

function randomText(rng: SeededRandom, maxLength: number): string {
  let out = '';
  const length = rng.int(0, maxLength);
  while (out.length < length) out += rng.pick(TRICKY_CHARS);
  return out;
}

/** JSON text built by hand, so that it can hold what JSON.stringify would never write. */
function randomJson(rng: SeededRandom, depth: number): string {
  const kind = rng.int(0, depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return rng.pick(['null', 'true', 'false']);
    case 1:
      return rng.pick(['0', '-0', '1e999', '-1e999', '1e-400', '123456789012345678901234567890', '9007199254740993', '0.1', '-1']);
    case 2:
    case 3:
      return JSON.stringify(randomText(rng, 40));
    case 4:
      return JSON.stringify(rng.pick(['say', 'hello', 'quit', 'ping', 'pong', 'join', 'part', 'msg', 'nick', 'me', 'rooms', 'names', 'help', 'dance', '', '__proto__', 'constructor', 'toString']));
    case 5:
      return `"${'\\u0000'.repeat(rng.int(1, 5))}\\ud800"`;
    case 6: {
      const nesting = rng.int(1, 1200);
      return '['.repeat(nesting) + (rng.bool(0.8) ? ']'.repeat(nesting) : '');
    }
    case 7: {
      const items = Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
      return `[${items.join(',')}]`;
    }
    default:
      return randomObject(rng, depth);
  }
}

function randomObject(rng: SeededRandom, depth: number, fields: string[] = []): string {
  const keys = ['type', 'text', 'name', 'room', 'to', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'type'];
  const members = [...fields];
  for (let i = rng.int(0, 4); i > 0; i--) members.push(`${JSON.stringify(rng.pick(keys))}:${randomJson(rng, depth - 1)}`);
  // Duplicate keys and odd orders are part of the fuzz.
  if (rng.bool(0.3)) members.reverse();
  return `{${members.join(',')}}`;
}

/** A frame a real client could send, as JSON. */
function validJsonFrame(rng: SeededRandom): string {
  const text = JSON.stringify(randomText(rng, 60));
  const room = JSON.stringify(rng.pick(['#lobby', '#fuzz', '#Fuzz', 'nohash', '#', `#${randomText(rng, 8)}`]));
  return rng.pick([
    `{"type":"hello","name":${JSON.stringify(rng.pick(VALID_NAMES))}}`,
    `{"type":"hello","name":${JSON.stringify(`f${rng.int(0, 1_000_000)}`)}}`,
    `{"type":"say","text":${text}}`,
    `{"type":"say","text":${text},"room":${room}}`,
    `{"type":"me","text":${text}}`,
    `{"type":"join","room":${room}}`,
    `{"type":"part","room":${room}}`,
    `{"type":"msg","to":${JSON.stringify(rng.pick(VALID_NAMES))},"text":${text}}`,
    `{"type":"nick","name":${JSON.stringify(rng.pick(VALID_NAMES))}}`,
    '{"type":"rooms"}',
    '{"type":"names"}',
    '{"type":"help"}',
    '{"type":"ping"}',
    '{"type":"pong"}',
  ]);
}

/** A valid frame, then damaged. */
function mutatedJsonFrame(rng: SeededRandom): string {
  const frame = validJsonFrame(rng);
  switch (rng.int(0, 8)) {
    case 0:
      return frame.slice(0, rng.int(0, frame.length));
    case 1: {
      const at = rng.int(0, frame.length - 1);
      return frame.slice(0, at) + String.fromCharCode(rng.int(0, 0xffff)) + frame.slice(at + 1);
    }
    case 2:
      return frame.replace('{', `{"__proto__":${randomObject(rng, 2, ['"type":"say"', '"text":"polluted"'])},`);
    case 3:
      return frame.replace('{', '{"constructor":{"prototype":{"type":"quit","isAdmin":true}},');
    case 4:
      return frame.replace(/"(text|name|room|to)":[^,}]*/, `"$1":${randomJson(rng, 3)}`);
    case 5:
      return frame.replace('}', `,"extra":${randomJson(rng, 4)}}`);
    case 6:
      return frame.replace(/"type":"[^"]*"/, `"type":${randomJson(rng, 2)}`);
    case 7:
      return frame.replace(/"(text|name)":"/, `"$1":"${'x'.repeat(rng.int(MAX_MESSAGE_LENGTH - 5, MAX_FRAME_BYTES + 100))}`);
    default:
      return randomObject(rng, 4, [`"type":${JSON.stringify(rng.pick(['say', 'hello', 'join', 'msg']))}`]);
  }
}

function textLine(rng: SeededRandom): string {
  return rng.pick([
    () => randomText(rng, 80),
    () => rng.pick(VALID_NAMES),
    () => `/${rng.pick(['nick', 'join', 'part', 'me', 'msg', 'rooms', 'names', 'help', 'quit', 'dance', '', '/'])} ${randomText(rng, 20)}`,
    () => `/msg ${rng.pick(VALID_NAMES)} ${randomText(rng, 20)}`,
    () => `//not a command ${randomText(rng, 10)}`,
    () => '{quit}',
    () => '',
  ])();
}

/** One piece of hostile input: a whole line, raw bytes, or a partial frame. */
function piece(rng: SeededRandom): Buffer {
  const line = (text: string) => Buffer.from(`${text}${rng.pick(['\n', '\n', '\r\n', '\r', ''])}`);
  switch (rng.int(0, 11)) {
    case 0:
      return rng.bytes(rng.int(1, 300));
    case 1:
      return line(randomJson(rng, 4));
    case 2:
    case 3:
      return line(mutatedJsonFrame(rng));
    case 4:
      return line(validJsonFrame(rng));
    case 5:
    case 6:
      return line(textLine(rng));
    case 7:
      // Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong encoding, an encoded surrogate, 0xff.
      return Buffer.concat([Buffer.from(randomText(rng, 10)), Buffer.from(rng.pick([[0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80]])), Buffer.from('\n')]);
    case 8:
      return Buffer.from(`${randomText(rng, 5)}\u0000${randomText(rng, 5)}\r${randomText(rng, 5)}\n`);
    case 9:
      // Longer than a frame may be, with or without its newline.
      return Buffer.from(`${'y'.repeat(MAX_FRAME_BYTES + rng.int(1, 4000))}${rng.bool() ? '\n' : ''}`);
    case 10:
      return Buffer.from(rng.pick(['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'POST /chat HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc', 'OPTIONS * HTTP/1.1\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']));
    default:
      // A TLS ClientHello's record header, then noise.
      return Buffer.concat([Buffer.from([0x16, 0x03, rng.int(0, 4), rng.int(0, 2), rng.int(0, 255)]), rng.bytes(rng.int(0, 200))]);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the socket has closed, or after `ms` (the caller destroys it then). */
function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One hostile connection: connects, sends its pieces (sometimes split, sometimes paced), and hangs up one of several ways. */
async function hostileConnection(port: number, rng: SeededRandom, sockets: Set<Socket>): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  sockets.add(socket);
  socket.on('error', () => {});
  // Most read (and discard) what they are sent; some never read at all.
  if (rng.bool(0.85)) socket.resume();
  else socket.pause();
  try {
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
    // Half of them first register like a real client, so that the hostile input reaches a named user.
    if (rng.bool()) {
      const name = `f${rng.int(0, 1_000_000)}`;
      socket.write(rng.bool() ? `${name}\n` : `{"type":"hello","name":"${name}"}\n`);
    }
    for (let i = rng.int(1, MAX_PIECES); i > 0 && !socket.destroyed; i--) {
      const bytes = piece(rng);
      if (bytes.length > 1 && rng.bool(0.3)) {
        const cut = rng.int(1, bytes.length - 1);
        socket.write(bytes.subarray(0, cut));
        await pause(rng.int(0, 3));
        if (!socket.destroyed) socket.write(bytes.subarray(cut));
      } else {
        socket.write(bytes);
      }
      if (rng.bool(0.4)) await pause(rng.int(0, 10));
    }
    switch (rng.int(0, 4)) {
      case 0:
        socket.end();
        await closedWithin(socket, 2_000);
        break;
      case 1:
        socket.destroy();
        break;
      case 2:
        // A partial frame, then a reset.
        socket.write(mutatedJsonFrame(rng).slice(0, 10));
        await pause(rng.int(0, 5));
        socket.resetAndDestroy();
        break;
      case 3:
        socket.write(rng.bool() ? '/quit\n' : '{"type":"quit"}\n');
        await closedWithin(socket, 2_000);
        break;
      default:
        socket.resetAndDestroy();
    }
  } finally {
    socket.destroy();
    sockets.delete(socket);
  }
}

describe(`fuzz: hostile connections against a live server (seed ${SEED})`, () => {
  let t: TestServer | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await t?.stop();
    t = undefined;
  });

  it('stays up, answers or closes every hostile connection, and two well-behaved users keep chatting throughout', async () => {
    t = await startTestServer({
      maxFrameBytes: MAX_FRAME_BYTES,
      maxMessageLength: MAX_MESSAGE_LENGTH,
      // Flood control takes part too; the well-behaved users stay far below it.
      ratePerSecond: 200,
      burst: 50,
      floodDisconnectAfter: 100,
      closeGraceMs: 500,
    });
    const server = t;
    const text = await server.text('goodtext');
    const json = await server.json('goodjson');
    const rng = new SeededRandom(SEED);

    let fuzzDone = false;
    let started = 0;
    const startedAt = Date.now();
    const fuzz = (async () => {
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (started < FUZZ_CONNECTIONS && Date.now() - startedAt < FUZZ_BUDGET_MS) {
          started += 1;
          // Each connection gets its own generator, derived from the seed in a fixed order.
          await hostileConnection(server.port, new SeededRandom(rng.int(0, 2 ** 31)), sockets);
        }
      });
      await Promise.all(workers);
      fuzzDone = true;
    })();

    // The well-behaved users talk the whole time, about 50 messages a second each at most.
    const fromText: string[] = [];
    const fromJson: string[] = [];
    for (let i = 0; !fuzzDone && i < 1000; i++) {
      fromText.push(`t${i}`);
      text.send(`t${i}`);
      fromJson.push(`j${i}`);
      json.sendJson({ type: 'say', text: `j${i}` });
      await pause(20);
    }
    await fuzz;
    expect(started).toBeGreaterThanOrEqual(Math.min(FUZZ_CONNECTIONS, CONCURRENCY));

    // Each received every one of the other's messages, in order, and nothing forged in their names.
    const jsonSeen = () => json.frames.filter((f) => f.type === 'message' && f.from === 'goodtext' && f.history !== true).map((f) => f.text);
    const textSeen = () => text.lines.filter((line) => line.startsWith('goodjson: ')).map((line) => line.slice('goodjson: '.length));
    await json.until(() => jsonSeen().length >= fromText.length, `the ${fromText.length} text messages (seed ${SEED})`, 30_000);
    await text.until(() => textSeen().length >= fromJson.length, `the ${fromJson.length} JSON messages (seed ${SEED})`, 30_000);
    expect(jsonSeen()).toEqual(fromText);
    expect(textSeen()).toEqual(fromJson);
    expect(text.closed || json.closed).toBe(false);
    expect(text.lines.some((line) => line.includes('too fast'))).toBe(false);

    // Every hostile connection is gone; only the well-behaved two remain.
    await eventually(() => server.server.stats().connections === 2, `the server to close every hostile connection (seed ${SEED})`, 20_000);
    // The server never logged an error (accept failures and crashes of a handler would be).
    expect(server.logs.filter((line) => line.split(' ')[1] === 'error')).toEqual([]);

    // And it still takes new users.
    const newcomer = await server.text('newcomer');
    newcomer.send('still here?');
    expect(await json.waitForJson((f) => f.type === 'message' && f.from === 'newcomer')).toMatchObject({ text: 'still here?' });
    await text.waitForLine((line) => line === 'newcomer: still here?');
  }, 90_000);
});
