import fc from 'fast-check';
import { decodeSnapshot, encodeSnapshot } from '../../src/cluster/snapshot';
import { LeaveReason } from '../../src/protocol/frames';
import { LOBBY } from '../../src/protocol/limits';
import { RoomInput } from '../../src/room/events';
import { reduceRoom } from '../../src/room/reducer';
import { ConnId, initialRoomState, RoomConfig, RoomState } from '../../src/room/state';
import { received, Received } from '../room/room-helpers';

/** Enough runs to reach full rooms, renames and leaves; few enough that the file takes a second or two. */
const NUM_RUNS = 150;

/** Longest random run before and after the snapshot. */
const MAX_INPUTS = 60;

/**
 * Connection ids as a cluster hands them out: a few local ones and a few from other nodes (node number
 * times 2^32), so that ids above 2^32 go through JSON too.
 */
const connId = fc.constantFrom<ConnId>(1, 2, 3, 2 ** 32 + 1, 2 ** 32 + 2, 7 * 2 ** 32 + 5);

/** Names that clash (case, final sigma, ß), that are invalid, and that are object-property names. */
const name = fc.constantFrom('alice', 'Alice', 'bob', 'carol', 'ΑΣ', 'ας', 'straße', 'STRASSE', '__proto__', 'constructor', '', 'a b');
const room = fc.constantFrom(LOBBY, '#dev', '#Dev', 'ops', '#__proto__', '#straße', '#STRASSE', '#', 'bad room');
const optionalRoom = fc.option(room, { nil: undefined, freq: 2 });
const text = fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim() !== '');
const leaveReason = fc.constantFrom<LeaveReason>('disconnect', 'error', 'timeout', 'too_slow');

const input: fc.Arbitrary<RoomInput> = fc
  .tuple(
    connId,
    fc.integer({ min: 0, max: 2 ** 41 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ type: fc.constant('hello' as const), name }) },
      { weight: 4, arbitrary: fc.record({ type: fc.constant('say' as const), text, room: optionalRoom }, { requiredKeys: ['type', 'text'] }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('me' as const), text, room: optionalRoom }, { requiredKeys: ['type', 'text'] }) },
      { weight: 3, arbitrary: fc.record({ type: fc.constant('join' as const), room }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('part' as const), room: optionalRoom }, { requiredKeys: ['type'] }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('names' as const), room: optionalRoom }, { requiredKeys: ['type'] }) },
      { weight: 1, arbitrary: fc.constant({ type: 'rooms' as const }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('msg' as const), to: name, text }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('nick' as const), name }) },
      { weight: 1, arbitrary: fc.constant({ type: 'quit' as const }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('disconnect' as const), reason: leaveReason }) },
    ),
  )
  .map(([from, ts, command]) => ({ ...command, from, ts }) as RoomInput);

const inputs = fc.array(input, { maxLength: MAX_INPUTS, size: 'max' });

/** Small limits, so that runs reach them: full histories, quiet rooms, users in as many rooms as allowed. */
const roomConfig: fc.Arbitrary<RoomConfig> = fc.record({
  historyLength: fc.integer({ min: 0, max: 3 }),
  maxRoomsPerUser: fc.integer({ min: 1, max: 3 }),
  announceLimit: fc.integer({ min: 1, max: 4 }),
});

function fold(state: RoomState, list: readonly RoomInput[], config: RoomConfig): { state: RoomState; deliveries: Received[] } {
  const deliveries: Received[] = [];
  for (const next of list) {
    const transition = reduceRoom(state, next, config);
    state = transition.state;
    deliveries.push(...transition.deliveries.map(received));
  }
  return { state, deliveries };
}

/**
 * A state as plain data in one canonical order. The state's collections are hashed maps and sets, whose
 * iteration order is not part of what they mean; the order of a user's rooms (an ordered set) and of a
 * room's history (a list) is, and is kept.
 */
function canonical(state: RoomState) {
  return {
    nextMessageId: state.nextMessageId,
    users: [...state.users.entries()]
      .map(([id, user]) => ({ id, name: user.name, key: user.key, rooms: user.rooms.toArray(), current: user.current }))
      .sort((a, b) => a.id - b.id),
    names: [...state.names.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    channels: [...state.channels.entries()]
      .map(([key, channel]) => ({ key, name: channel.name, members: channel.members.toArray().sort((a, b) => a - b), history: channel.history.toArray() }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

describe('snapshot', () => {
  it('decodes to the state it encoded, for any state the reducer reaches', () => {
    fc.assert(
      fc.property(inputs, roomConfig, (list, config) => {
        const { state } = fold(initialRoomState, list, config);
        const decoded = decodeSnapshot(encodeSnapshot(state));
        expect(canonical(decoded)).toEqual(canonical(state));
        // And again: a node that starts from a snapshot saves one that the next node reads the same way.
        expect(canonical(decodeSnapshot(encodeSnapshot(decoded)))).toEqual(canonical(state));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('folds further inputs from the decoded state exactly as from the original', () => {
    fc.assert(
      fc.property(inputs, inputs, roomConfig, (before, after, config) => {
        const { state } = fold(initialRoomState, before, config);
        const original = fold(state, after, config);
        const restored = fold(decodeSnapshot(encodeSnapshot(state)), after, config);
        expect(restored.deliveries).toEqual(original.deliveries);
        expect(canonical(restored.state)).toEqual(canonical(original.state));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps a state with users in several rooms, a history and ids beyond 2^32', () => {
    const config: RoomConfig = { historyLength: 2, maxRoomsPerUser: 3, announceLimit: 10 };
    const remote = 5 * 2 ** 32 + 1;
    const { state } = fold(
      initialRoomState,
      [
        { type: 'hello', name: 'alice', from: 1, ts: 1 },
        { type: 'hello', name: 'Bob', from: remote, ts: 2 },
        { type: 'join', room: '#dev', from: 1, ts: 3 },
        { type: 'join', room: '#dev', from: remote, ts: 4 },
        { type: 'say', text: 'one', from: 1, ts: 5 },
        { type: 'me', text: 'waves', from: remote, ts: 6 },
        { type: 'say', text: 'three', room: LOBBY, from: 1, ts: 7 },
        { type: 'join', room: LOBBY, from: 1, ts: 8 },
      ],
      config,
    );
    const decoded = decodeSnapshot(encodeSnapshot(state));
    expect(decoded.nextMessageId).toBe(4);
    expect(decoded.users.get(remote)).toEqual({ id: remote, name: 'Bob', key: 'bob', rooms: expect.anything(), current: '#dev' });
    expect(decoded.users.get(1)!.rooms.toArray()).toEqual(['#lobby', '#dev']);
    expect(decoded.users.get(1)!.current).toBe('#lobby');
    expect(decoded.names.get('bob')).toBe(remote);
    expect(decoded.channels.get('#dev')!.history.toArray()).toEqual([
      { type: 'message', room: '#dev', from: 'alice', text: 'one', ts: 5, id: 1 },
      { type: 'message', room: '#dev', from: 'Bob', text: 'waves', ts: 6, id: 2, action: true },
    ]);
    expect(canonical(decoded)).toEqual(canonical(state));
  });

  it('keeps the empty state', () => {
    expect(canonical(decodeSnapshot(encodeSnapshot(initialRoomState)))).toEqual(canonical(initialRoomState));
  });

  describe('refuses what this version did not write', () => {
    const valid = JSON.parse(encodeSnapshot(initialRoomState)) as Record<string, unknown>;

    it.each([
      ['a newer version', { ...valid, v: 2 }, /unknown snapshot version 2 \(this version reads 1\)/],
      ['an older version', { ...valid, v: 0 }, /unknown snapshot version 0/],
      ['a version that is a string', { ...valid, v: '1' }, /unknown snapshot version "1"/],
      ['no version', { users: [], channels: [], nextMessageId: 1 }, /unknown snapshot version undefined/],
      ['no nextMessageId', { ...valid, nextMessageId: undefined }, /nextMessageId/],
      ['a nextMessageId of 0', { ...valid, nextMessageId: 0 }, /nextMessageId/],
      ['a fractional nextMessageId', { ...valid, nextMessageId: 1.5 }, /nextMessageId/],
    ])('%s', (_what, json, reason) => {
      expect(() => decodeSnapshot(JSON.stringify(json))).toThrow(reason);
    });

    const user = (id: number, name: string, rooms: string[], current: string | null) => [id, name, name, rooms, current];
    const room = (key: string, members: number[]) => [key, key, members, []];
    it.each([
      ['users that are not a list', { ...valid, users: 'abc' }, /no users list/],
      ['no rooms list', { ...valid, channels: undefined }, /no channels list/],
      ['a user with a null name', { ...valid, users: [[1, null, null, [], null]] }, /malformed user/],
      ['a user of the wrong shape', { ...valid, users: [[1, 'a']] }, /malformed user/],
      ['a user id of 0', { ...valid, users: [user(0, 'a', [], null)] }, /malformed user/],
      ['a user in a room that does not exist', { ...valid, users: [user(1, 'a', ['#x'], '#x')] }, /a in #x but not among its members/],
      ['a current room the user is not in', { ...valid, users: [user(1, 'a', [], '#x')] }, /talking in #x/],
      ['a member who is no user', { ...valid, channels: [room('#a', [5])] }, /member 5 of #a/],
      ['a room with members that are not ids', { ...valid, channels: [room('#a', ['x' as unknown as number])] }, /malformed room/],
      ['two users with one name', { ...valid, users: [user(1, 'a', ['#a'], '#a'), user(2, 'a', ['#a'], '#a')], channels: [room('#a', [1, 2])] }, /two users with one name/],
    ])('a snapshot whose contents do not hold together: %s', (_what, json, reason) => {
      expect(() => decodeSnapshot(JSON.stringify(json))).toThrow(reason);
    });

    it.each([
      ['null', 'null'],
      ['a number', '42'],
      ['a string', '"snapshot"'],
      ['an array', '[1]'],
    ])('JSON that is %s, saying what version it found', (_what, text) => {
      expect(() => decodeSnapshot(text)).toThrow(/unknown snapshot version/);
    });

    it.each([
      ['not JSON', 'garbage'],
      ['truncated JSON', encodeSnapshot(initialRoomState).slice(0, 20)],
      ['an empty string', ''],
    ])('%s, with the parser`s reason', (_what, text) => {
      let thrown: unknown;
      try {
        decodeSnapshot(text);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).message).toMatch(/JSON/);
    });
  });
});
