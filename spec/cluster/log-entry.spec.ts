import fc from 'fast-check';
import { decodeLogEntry, encodeLogEntry } from '../../src/cluster/log-entry';
import { LeaveReason } from '../../src/protocol/frames';
import { DEFAULT_MAX_MESSAGE_LENGTH } from '../../src/protocol/limits';
import { cleanMessage } from '../../src/protocol/say';
import { RoomInput } from '../../src/room/events';

/** A connection on node 7 of a cluster: its id is above 2^32, as most ids in a cluster are. */
const FROM = 7 * 2 ** 32 + 42;
const ORIGIN = 7;
const TS = 1_700_000_000_123;

const at = <T extends object>(command: T) => ({ ...command, from: FROM, ts: TS }) as unknown as RoomInput;

/** A log entry's fields, with `c` (the command) as given. */
const entry = (command: string, { n = String(ORIGIN), f = String(FROM), t = String(TS) } = {}) => ['n', n, 'f', f, 't', t, 'c', command];

const LEAVE_REASONS: LeaveReason[] = ['part', 'quit', 'disconnect', 'error', 'shutdown', 'too_slow', 'flood', 'timeout'];

const EVERY_INPUT: RoomInput[] = [
  at({ type: 'hello', name: 'alice' }),
  at({ type: 'say', text: 'hi there' }),
  at({ type: 'say', text: 'in dev', room: '#dev' }),
  at({ type: 'me', text: 'waves' }),
  at({ type: 'me', text: 'waves', room: '#dev' }),
  at({ type: 'join', room: '#dev' }),
  at({ type: 'part' }),
  at({ type: 'part', room: '#dev' }),
  at({ type: 'rooms' }),
  at({ type: 'names' }),
  at({ type: 'names', room: '#dev' }),
  at({ type: 'msg', to: 'bob', text: 'psst' }),
  at({ type: 'nick', name: 'alicia' }),
  at({ type: 'help' }),
  at({ type: 'quit' }),
  ...LEAVE_REASONS.map((reason) => at({ type: 'disconnect', reason })),
];

describe('log entries', () => {
  it.each(EVERY_INPUT.map((input) => [input.type === 'disconnect' ? `disconnect (${input.reason})` : JSON.stringify(input), input]))(
    'round-trips %s',
    (_name, input) => {
      expect(decodeLogEntry(encodeLogEntry(input as RoomInput, ORIGIN))).toEqual({ origin: ORIGIN, input });
    },
  );

  it('round-trips the origin, the sender and the time exactly, however large', () => {
    const sender = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    const node = fc.integer({ min: 0, max: 2 ** 20 - 1 });
    const time = fc.integer({ min: 0, max: 2 ** 50 });
    fc.assert(
      fc.property(sender, node, time, (from, origin, ts) => {
        const input: RoomInput = { type: 'say', text: 'x', from, ts };
        expect(decodeLogEntry(encodeLogEntry(input, origin))).toEqual({ origin, input });
      }),
    );
  });

  it('round-trips any text a connection could have sent (cleaned once, it stays as it is)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('say', 'me', 'msg'), (raw, type) => {
        const text = cleanMessage(raw, Number.POSITIVE_INFINITY);
        fc.pre(typeof text === 'string');
        const input = type === 'msg' ? at({ type, to: 'bob', text }) : at({ type, text });
        expect(decodeLogEntry(encodeLogEntry(input, ORIGIN))).toEqual({ origin: ORIGIN, input });
      }),
    );
  });

  it('decodes text longer than any --max-message-length: every node must fold the entry alike', () => {
    const text = 'x'.repeat(DEFAULT_MAX_MESSAGE_LENGTH * 100);
    const input = at({ type: 'say', text });
    expect(decodeLogEntry(encodeLogEntry(input, ORIGIN))).toEqual({ origin: ORIGIN, input });
    const long = at({ type: 'msg', to: 'bob', text: 'é'.repeat(DEFAULT_MAX_MESSAGE_LENGTH + 1) });
    expect(decodeLogEntry(encodeLogEntry(long, ORIGIN))).toEqual({ origin: ORIGIN, input: long });
  });

  it('reads fields in any order, as Redis gives them back', () => {
    const fields = encodeLogEntry(at({ type: 'join', room: '#dev' }), ORIGIN);
    const pairs: string[][] = [];
    for (let i = 0; i < fields.length; i += 2) pairs.push([fields[i], fields[i + 1]]);
    expect(decodeLogEntry(pairs.reverse().flat())).toEqual({ origin: ORIGIN, input: at({ type: 'join', room: '#dev' }) });
  });

  describe('hostile or broken entries come back as errors', () => {
    const quit = '{"type":"quit"}';

    it.each([
      ['no fields', []],
      ['no command', ['n', '1', 'f', '2', 't', '3']],
      ['no origin', ['f', '2', 't', '3', 'c', quit]],
      ['no sender', ['n', '1', 't', '3', 'c', quit]],
      ['no time', ['n', '1', 'f', '2', 'c', quit]],
      ['a field name without a value', ['n', '1', 'f', '2', 't', '3', 'c']],
      ['a non-numeric sender', entry(quit, { f: 'alice' })],
      ['a fractional sender', entry(quit, { f: '1.5' })],
      ['a sender beyond the safe integers', entry(quit, { f: String(2 ** 60) })],
      ['a sender of NaN', entry(quit, { f: 'NaN' })],
      ['an empty sender (Number would read it as 0)', entry(quit, { f: '' })],
      ['a sender of 0, which no connection has', entry(quit, { f: '0' })],
      ['a negative sender', entry(quit, { f: '-5' })],
      ['a blank origin', entry(quit, { n: ' ' })],
      ['a non-numeric origin', entry(quit, { n: 'node-1' })],
      ['an infinite time', entry(quit, { t: 'Infinity' })],
      ['a non-numeric time', entry(quit, { t: 'yesterday' })],
      ['fields named __proto__ instead of n', ['__proto__', '1', 'f', '2', 't', '3', 'c', quit]],
      ['fields named constructor instead of c', ['n', '1', 'f', '2', 't', '3', 'constructor', quit]],
    ])('%s', (_what, fields) => {
      const decoded = decodeLogEntry(fields);
      expect(decoded).toEqual({ error: expect.stringMatching(/n\/f\/t\/c/) });
    });

    it.each([
      ['not JSON', 'garbage'],
      ['truncated JSON', '{"type":"say","text":"h'],
      ['JSON that is not an object', '[{"type":"quit"}]'],
      ['JSON null', 'null'],
      ['an object without a type', '{"text":"hi"}'],
      ['a type that is not a string', '{"type":7}'],
      ['an unknown type', '{"type":"kick","name":"bob"}'],
      ['an event rather than a command', '{"type":"welcome","name":"a","room":"#lobby","users":[],"count":1}'],
      ['an error frame', '{"type":"error","code":"bad_frame","message":"m"}'],
      ['a heartbeat', '{"type":"ping"}'],
      ['a pong', '{"type":"pong"}'],
      ['a command with a missing field', '{"type":"join"}'],
      ['a command with a mistyped field', '{"type":"say","text":42}'],
      ['blank text', '{"type":"say","text":"   "}'],
      ['the type only under __proto__', '{"__proto__":{"type":"quit"}}'],
      ['a field only under __proto__', '{"type":"join","__proto__":{"room":"#dev"}}'],
      ['a disconnect with an unknown reason', '{"type":"disconnect","reason":"bored"}'],
      ['a disconnect with a reason that is an Object.prototype key', '{"type":"disconnect","reason":"toString"}'],
      ['a disconnect with a reason of __proto__', '{"type":"disconnect","reason":"__proto__"}'],
      ['a disconnect with no reason', '{"type":"disconnect"}'],
      ['a disconnect with a reason that is not a string', '{"type":"disconnect","reason":["quit"]}'],
      ['a disconnect that is not valid JSON', '{"type":"disconnect","reason":"quit"'],
      ['a disconnect whose reason is only under __proto__', '{"type":"disconnect","__proto__":{"reason":"quit"}}'],
    ])('%s', (_what, command) => {
      const decoded = decodeLogEntry(entry(command));
      expect(decoded).toEqual({ error: expect.stringContaining('not a command') });
    });

    it('keeps the error short when the entry is huge', () => {
      const huge = `{"type":"shout","text":"${'A'.repeat(5_000_000)}"}`;
      const decoded = decodeLogEntry(entry(huge));
      expect('error' in decoded).toBe(true);
      expect((decoded as { error: string }).error.length).toBeLessThan(200);
      expect('error' in decodeLogEntry(entry('x'.repeat(5_000_000)))).toBe(true);
    });

    it('reads __proto__ and constructor inside a command as plain data', () => {
      const decoded = decodeLogEntry(entry('{"type":"say","text":"hi","__proto__":{"room":"#evil"},"constructor":1}'));
      expect(decoded).toEqual({ origin: ORIGIN, input: { type: 'say', text: 'hi', from: FROM, ts: TS } });
      expect(Object.getPrototypeOf((decoded as { input: object }).input)).toBe(Object.prototype);
    });

    it('never throws, whatever the fields hold', () => {
      const anyField = fc.oneof(fc.constantFrom('n', 'f', 't', 'c', '__proto__', '1', ''), fc.string({ unit: 'binary', maxLength: 20 }));
      fc.assert(
        fc.property(fc.array(anyField, { maxLength: 12 }), (fields) => {
          expect(() => decodeLogEntry(fields)).not.toThrow();
        }),
        { numRuns: 500 },
      );
    });

    it('never throws whatever JSON the command holds, and decodes only commands', () => {
      const command = fc.oneof(
        fc.json(),
        fc.record({ type: fc.constantFrom('say', 'me', 'msg', 'hello', 'join', 'part', 'disconnect', 'quit', '__proto__'), text: fc.jsonValue(), to: fc.jsonValue(), room: fc.jsonValue(), reason: fc.jsonValue() }, { requiredKeys: ['type'] }).map((value) => JSON.stringify(value)),
      );
      fc.assert(
        fc.property(command, (json) => {
          const decoded = decodeLogEntry(entry(json));
          if ('error' in decoded) return;
          expect(decoded.origin).toBe(ORIGIN);
          expect(decoded.input.from).toBe(FROM);
          expect(['hello', 'say', 'me', 'join', 'part', 'rooms', 'names', 'msg', 'nick', 'help', 'quit', 'disconnect']).toContain(decoded.input.type);
        }),
        { numRuns: 500 },
      );
    });
  });
});
