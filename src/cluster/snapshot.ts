import { List, Map as ImmutableMap, OrderedSet, Set as ImmutableSet } from 'immutable';
import { MessageEvent } from '../protocol/frames';
import { Channel, ConnId, RoomState, User } from '../room/state';

/** Bumped when the shape below changes, so an old snapshot is refused rather than misread. */
const SNAPSHOT_VERSION = 1;

interface SnapshotJson {
  readonly v: number;
  readonly nextMessageId: number;
  /** [id, name, key, room keys, current room key] */
  readonly users: ReadonlyArray<readonly [ConnId, string, string, readonly string[], string | null]>;
  /** [key, name, member ids, history] */
  readonly channels: ReadonlyArray<readonly [string, string, readonly ConnId[], readonly MessageEvent[]]>;
}

/** The chat's whole state as JSON, for the shared snapshot that new nodes start from. */
export function encodeSnapshot(state: RoomState): string {
  const json: SnapshotJson = {
    v: SNAPSHOT_VERSION,
    nextMessageId: state.nextMessageId,
    users: Array.from(state.users.values(), (user) => [user.id, user.name, user.key, user.rooms.toArray(), user.current] as const),
    channels: Array.from(state.channels.entries(), ([key, channel]) => [key, channel.name, channel.members.toArray(), channel.history.toArray()] as const),
  };
  return JSON.stringify(json);
}

/**
 * Reads a snapshot back. Throws with a reason when it is not one this version wrote, or does not hold
 * together (a user in a room that does not exist, a member who is no user): a node must not start
 * from a state it only half understands, and the reducer trusts its state.
 */
export function decodeSnapshot(text: string): RoomState {
  const json = JSON.parse(text) as unknown;
  if (!isRecord(json) || json.v !== SNAPSHOT_VERSION) {
    throw new Error(`unknown snapshot version ${JSON.stringify(isRecord(json) ? json.v : null)} (this version reads ${SNAPSHOT_VERSION})`);
  }
  const { nextMessageId } = json;
  if (typeof nextMessageId !== 'number' || !Number.isSafeInteger(nextMessageId) || nextMessageId < 1) throw new Error('snapshot has no valid nextMessageId');
  const users = ImmutableMap<ConnId, User>().withMutations((map) => {
    for (const entry of arrayOf(json.users, 'users')) {
      const [id, name, key, rooms, current] = tuple(entry, 5, 'user');
      if (!isConnId(id) || typeof name !== 'string' || typeof key !== 'string' || !isStringArray(rooms) || (current !== null && typeof current !== 'string')) {
        throw new Error(`snapshot has a malformed user: ${JSON.stringify(entry).slice(0, 120)}`);
      }
      map.set(id, { id, name, key, rooms: OrderedSet(rooms), current });
    }
  });
  const channels = ImmutableMap<string, Channel>().withMutations((map) => {
    for (const entry of arrayOf(json.channels, 'channels')) {
      const [key, name, members, history] = tuple(entry, 4, 'room');
      if (typeof key !== 'string' || typeof name !== 'string' || !Array.isArray(members) || !members.every(isConnId) || !Array.isArray(history)) {
        throw new Error(`snapshot has a malformed room: ${JSON.stringify(entry).slice(0, 120)}`);
      }
      map.set(key, { name, members: ImmutableSet(members as ConnId[]), history: List(history as MessageEvent[]) });
    }
  });
  for (const user of users.values()) {
    for (const room of user.rooms) {
      if (!channels.get(room)?.members.has(user.id)) throw new Error(`snapshot has ${user.name} in ${room} but not among its members`);
    }
    if (user.current !== null && !user.rooms.has(user.current)) throw new Error(`snapshot has ${user.name} talking in ${user.current}, a room they are not in`);
  }
  for (const [key, channel] of channels) {
    for (const id of channel.members) if (!users.get(id)?.rooms.has(key)) throw new Error(`snapshot has member ${id} of ${key} who is not a user in it`);
  }
  const names = ImmutableMap<string, ConnId>().withMutations((map) => {
    for (const user of users.values()) map.set(user.key, user.id);
  });
  if (names.size !== users.size) throw new Error('snapshot has two users with one name');
  return { users, names, channels, nextMessageId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`snapshot has no ${what} list`);
  return value;
}

function tuple(value: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length !== length) throw new Error(`snapshot has a malformed ${what}: ${JSON.stringify(value)?.slice(0, 120)}`);
  return value;
}

function isConnId(value: unknown): value is ConnId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
