import { Map as ImmutableMap } from 'immutable';

/** Identifies one connection for the lifetime of the server process. */
export type ConnId = number;

export interface User {
  readonly id: ConnId;
  /** The name as everybody sees it (NFC). */
  readonly name: string;
  /** The case-insensitive identity that uniqueness is decided on. */
  readonly key: string;
}

/**
 * Everything the room knows. Persistent (immutable) maps keep the reducer pure without copying every
 * user on each join: an update shares all but O(log n) of the previous state, and a state handed to
 * subscribers can never change under them.
 */
export interface RoomState {
  /** Registered users by connection, in join order. */
  readonly users: ImmutableMap<ConnId, User>;
  /** Name key → connection, for case-insensitive uniqueness. */
  readonly names: ImmutableMap<string, ConnId>;
  /** Id of the next chat message; ids increase by one per message. */
  readonly nextMessageId: number;
}

export const initialRoomState: RoomState = {
  users: ImmutableMap(),
  names: ImmutableMap(),
  nextMessageId: 1,
};
