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
 * Reads a snapshot back. Throws with a reason when it is not one this version wrote: a node must not
 * start from a state it only half understands.
 */
export function decodeSnapshot(text: string): RoomState {
  const json = JSON.parse(text) as SnapshotJson;
  if (typeof json !== 'object' || json === null || json.v !== SNAPSHOT_VERSION) {
    throw new Error(`unknown snapshot version ${JSON.stringify((json as { v?: unknown } | null)?.v)} (this version reads ${SNAPSHOT_VERSION})`);
  }
  const users = ImmutableMap<ConnId, User>().withMutations((map) => {
    for (const [id, name, key, rooms, current] of json.users) map.set(id, { id, name, key, rooms: OrderedSet(rooms), current });
  });
  const names = ImmutableMap<string, ConnId>().withMutations((map) => {
    for (const user of users.values()) map.set(user.key, user.id);
  });
  const channels = ImmutableMap<string, Channel>().withMutations((map) => {
    for (const [key, name, members, history] of json.channels) map.set(key, { name, members: ImmutableSet(members), history: List(history) });
  });
  if (!Number.isSafeInteger(json.nextMessageId) || json.nextMessageId < 1) throw new Error('snapshot has no valid nextMessageId');
  return { users, names, channels, nextMessageId: json.nextMessageId };
}
