import { List, Map as ImmutableMap, OrderedSet, Set as ImmutableSet } from 'immutable';
import { MessageEvent } from '../protocol/frames';
import {
  DEFAULT_ANNOUNCE_LIMIT,
  DEFAULT_HISTORY_LENGTH,
  DEFAULT_MAX_ROOMS_PER_USER,
  LOBBY,
} from '../protocol/limits';

/** Identifies one connection for the lifetime of the server process. */
export type ConnId = number;

export interface User {
  readonly id: ConnId;
  /** The name as everybody sees it (NFC). */
  readonly name: string;
  /** The case-insensitive identity that uniqueness is decided on. */
  readonly key: string;
  /** Keys of the rooms the user is in, oldest first. */
  readonly rooms: OrderedSet<string>;
  /** Key of the room plain lines go to: the one joined or switched to last; null when in none. */
  readonly current: string | null;
}

export interface Channel {
  /** Display name, with its `#`. */
  readonly name: string;
  readonly members: ImmutableSet<ConnId>;
  /** The last messages, oldest first, replayed to newcomers. */
  readonly history: List<MessageEvent>;
}

/**
 * Everything the chat knows. Persistent (immutable) collections keep the reducer pure without copying
 * every user on each join: an update shares all but O(log n) of the previous state, and a state handed
 * to subscribers can never change under them.
 */
export interface RoomState {
  /** Registered users by connection. */
  readonly users: ImmutableMap<ConnId, User>;
  /** Name key → connection, for case-insensitive uniqueness. */
  readonly names: ImmutableMap<string, ConnId>;
  /** Room key → room. A room exists while somebody is in it. */
  readonly channels: ImmutableMap<string, Channel>;
  /** Id of the next message (room or private); ids increase by one per message. */
  readonly nextMessageId: number;
}

/** Settings of the chat that never change while it runs. */
export interface RoomConfig {
  /** Messages per room replayed to newcomers. */
  readonly historyLength: number;
  /** Rooms one user may be in at once. */
  readonly maxRoomsPerUser: number;
  /** Rooms larger than this do not announce joins and leaves (see DEFAULT_ANNOUNCE_LIMIT). */
  readonly announceLimit: number;
  /** Message of the day, shown in every welcome. */
  readonly motd?: string;
}

export const DEFAULT_ROOM_CONFIG: RoomConfig = {
  historyLength: DEFAULT_HISTORY_LENGTH,
  maxRoomsPerUser: DEFAULT_MAX_ROOMS_PER_USER,
  announceLimit: DEFAULT_ANNOUNCE_LIMIT,
};

/** The key of the lobby, where everybody starts. */
export const LOBBY_KEY = LOBBY.toLowerCase();

export const initialRoomState: RoomState = {
  users: ImmutableMap(),
  names: ImmutableMap(),
  channels: ImmutableMap(),
  nextMessageId: 1,
};
