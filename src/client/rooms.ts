import { ServerEvent } from '../protocol/frames';
import { compareNames, nameKey } from '../protocol/sanitize';

/** One room we are in, as far as we know it. */
export interface RoomMembers {
  /** The room's name as the server spells it (`#dev`). */
  readonly room: string;
  /** Who is in it, sorted; empty in a quiet room (more members than the server announces). */
  readonly users: readonly string[];
  readonly count: number;
}

/** The rooms we are in, and the current one: where lines we type go. */
export interface RoomsState {
  readonly current: string | null;
  /** By case-insensitive room key, in the order we joined them. */
  readonly rooms: ReadonlyMap<string, RoomMembers>;
}

export const NO_ROOMS: RoomsState = { current: null, rooms: new Map() };

/** Room names are case-insensitive, with the same Unicode rules as user names. */
export function roomKey(room: string): string {
  return nameKey(room);
}

/** The order the server sorts its user lists in, on any machine. */
export { compareNames };

/** The current room, if we are in one. */
export function currentRoom(state: RoomsState): RoomMembers | undefined {
  return state.current === null ? undefined : state.rooms.get(roomKey(state.current));
}

/**
 * The rooms after an event, given the rooms before it. Pure; returns the same state when the event
 * changes nothing, so callers can skip re-rendering.
 */
export function applyToRooms(state: RoomsState, event: ServerEvent): RoomsState {
  switch (event.type) {
    case 'welcome':
      return { current: event.room, rooms: new Map([[roomKey(event.room), members(event.room, event.users, event.count)]]) };
    case 'entered': {
      const rooms = new Map(state.rooms);
      rooms.set(roomKey(event.room), members(event.room, event.users, event.count));
      return { current: event.room, rooms };
    }
    case 'parted': {
      const rooms = new Map(state.rooms);
      rooms.delete(roomKey(event.room));
      return { current: event.current, rooms };
    }
    case 'names':
      return update(state, [event.room], (room) => members(room.room, event.users, event.users.length));
    case 'joined':
      return update(state, [event.room], (room) => {
        if (room.users.includes(event.name)) return room;
        // Only a complete list can take the newcomer; a quiet room's list stays empty.
        const users = isComplete(room) ? [...room.users, event.name].sort(compareNames) : room.users;
        return { ...room, users, count: room.count + 1 };
      });
    case 'left':
      // A part names its room; leaving the chat names none, and means every room we shared.
      return update(state, event.room === undefined ? [...state.rooms.values()].map((room) => room.room) : [event.room], (room) => {
        if (isComplete(room) && !room.users.includes(event.name)) return room;
        return { ...room, users: room.users.filter((user) => user !== event.name), count: Math.max(0, room.count - 1) };
      });
    case 'nick':
      return update(state, [...state.rooms.values()].map((room) => room.room), (room) =>
        room.users.includes(event.old) ? { ...room, users: room.users.map((user) => (user === event.old ? event.name : user)).sort(compareNames) } : room,
      );
    default:
      return state;
  }
}

function members(room: string, users: readonly string[], count: number): RoomMembers {
  return { room, users: [...users].sort(compareNames), count };
}

function isComplete(room: RoomMembers): boolean {
  return room.users.length === room.count;
}

/** Applies `change` to each named room we are in; the same state back when nothing changed. */
function update(state: RoomsState, names: readonly string[], change: (room: RoomMembers) => RoomMembers): RoomsState {
  let rooms: Map<string, RoomMembers> | undefined;
  for (const name of names) {
    const key = roomKey(name);
    const room = (rooms ?? state.rooms).get(key);
    if (!room) continue;
    const changed = change(room);
    if (changed === room) continue;
    rooms ??= new Map(state.rooms);
    rooms.set(key, changed);
  }
  return rooms ? { ...state, rooms } : state;
}
