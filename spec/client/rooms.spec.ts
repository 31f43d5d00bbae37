import { restoreRooms } from '../../src/client/chat-client';
import { applyToRooms, compareNames, currentRoom, NO_ROOMS, RoomsState } from '../../src/client/rooms';
import { ServerEvent } from '../../src/protocol/frames';

const apply = (state: RoomsState, ...events: ServerEvent[]) => events.reduce(applyToRooms, state);
const welcome: ServerEvent = { type: 'welcome', name: 'me', room: '#lobby', users: ['me', 'bob', 'Alice'], count: 3 };
const summary = (state: RoomsState) => [...state.rooms.values()].map((room) => `${room.room}(${room.count}):${room.users.join(',')}`);

describe('applyToRooms', () => {
  it('starts in the welcome room with its users, sorted the way the server sorts them', () => {
    const state = apply(NO_ROOMS, welcome);
    expect(state.current).toBe('#lobby');
    expect(currentRoom(state)?.users).toEqual(['Alice', 'bob', 'me']);
    expect(['b', 'Z', 'a', 'é'].sort(compareNames)).toEqual(['a', 'b', 'é', 'Z']);
  });

  it('follows entering, switching and parting rooms; the order is the order joined', () => {
    let state = apply(NO_ROOMS, welcome, { type: 'entered', room: '#dev', users: ['me'], count: 1 });
    expect(state.current).toBe('#dev');
    state = apply(state, { type: 'entered', room: '#lobby', users: ['Alice', 'bob', 'me'], count: 3 });
    expect(state.current).toBe('#lobby');
    expect(summary(state)).toEqual(['#lobby(3):Alice,bob,me', '#dev(1):me']);
    state = apply(state, { type: 'parted', room: '#lobby', current: '#dev' });
    expect(state.current).toBe('#dev');
    expect(summary(state)).toEqual(['#dev(1):me']);
    state = apply(state, { type: 'parted', room: '#dev', current: null });
    expect(state.current).toBeNull();
    expect(currentRoom(state)).toBeUndefined();
  });

  it('adds joins and removes parts in the room named, whatever its case', () => {
    const state = apply(
      NO_ROOMS,
      welcome,
      { type: 'entered', room: '#dev', users: ['me'], count: 1 },
      { type: 'joined', room: '#DEV', name: 'carol', ts: 1 },
      { type: 'left', name: 'bob', room: '#lobby', reason: 'part', ts: 1 },
    );
    expect(summary(state)).toEqual(['#lobby(2):Alice,me', '#dev(2):carol,me']);
  });

  it('removes somebody who left the chat from every room', () => {
    const state = apply(
      NO_ROOMS,
      welcome,
      { type: 'entered', room: '#dev', users: ['bob', 'me'], count: 2 },
      { type: 'left', name: 'bob', reason: 'disconnect', ts: 1 },
    );
    expect(summary(state)).toEqual(['#lobby(2):Alice,me', '#dev(1):me']);
  });

  it('renames in every room, and takes names lists as the truth', () => {
    const state = apply(
      NO_ROOMS,
      welcome,
      { type: 'nick', old: 'bob', name: 'zed', ts: 1 },
      { type: 'names', room: '#elsewhere', users: ['x'] },
    );
    expect(summary(state)).toEqual(['#lobby(3):Alice,me,zed']);
    expect(summary(apply(state, { type: 'names', room: '#lobby', users: ['me'] }))).toEqual(['#lobby(1):me']);
  });

  it('only counts joins and leaves in a quiet room, whose list it does not know', () => {
    const quiet = apply(NO_ROOMS, { type: 'welcome', name: 'me', room: '#lobby', users: [], count: 500 });
    const state = apply(quiet, { type: 'joined', room: '#lobby', name: 'x', ts: 1 }, { type: 'left', name: 'y', reason: 'quit', ts: 1 }, { type: 'left', name: 'z', reason: 'quit', ts: 1 });
    expect(summary(state)).toEqual(['#lobby(499):']);
  });

  it('returns the same state for events that change no room', () => {
    const state = apply(NO_ROOMS, welcome);
    expect(applyToRooms(state, { type: 'message', room: '#lobby', from: 'bob', text: 't', ts: 1, id: 1 })).toBe(state);
    expect(applyToRooms(state, { type: 'joined', room: '#other', name: 'x', ts: 1 })).toBe(state);
    expect(applyToRooms(state, { type: 'joined', room: '#lobby', name: 'bob', ts: 1 })).toBe(state);
    expect(applyToRooms(state, { type: 'left', name: 'nobody', reason: 'quit', ts: 1 })).toBe(state);
  });
});

describe('restoreRooms', () => {
  const rooms = (current: string | null, ...names: string[]): RoomsState => ({
    current,
    rooms: new Map(names.map((room) => [room.toLowerCase(), { room, users: [], count: 1 }])),
  });

  it('joins the rooms again in order and switches back to the current one', () => {
    expect(restoreRooms(rooms('#dev', '#lobby', '#dev', '#ops'), '#lobby')).toEqual([
      { type: 'join', room: '#dev' },
      { type: 'join', room: '#ops' },
      { type: 'join', room: '#dev' },
    ]);
  });

  it('needs no switch when the current room is the last one joined, and nothing when only in the lobby', () => {
    expect(restoreRooms(rooms('#ops', '#lobby', '#ops'), '#lobby')).toEqual([{ type: 'join', room: '#ops' }]);
    expect(restoreRooms(rooms('#lobby', '#lobby'), '#lobby')).toEqual([]);
  });

  it('leaves the welcome room again if we had left it', () => {
    expect(restoreRooms(rooms('#dev', '#dev'), '#lobby')).toEqual([
      { type: 'join', room: '#dev' },
      { type: 'part', room: '#lobby' },
    ]);
  });
});
