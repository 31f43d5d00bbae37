import { List, OrderedSet, Set as ImmutableSet } from 'immutable';
import { COMMANDS } from '../protocol/commands';
import { ClientCommand, CommandType, ErrorEvent, errorEvent, LeaveReason, MessageEvent, ServerEvent } from '../protocol/frames';
import { LOBBY } from '../protocol/limits';
import { checkName, checkRoomName, compareNames, quoteForError } from '../protocol/sanitize';
import { Audience, Delivery, RoomInput } from './events';
import { Channel, ConnId, DEFAULT_ROOM_CONFIG, LOBBY_KEY, RoomConfig, RoomState, User } from './state';

/** The result of one input: the next state and what to tell whom. */
export interface Transition {
  readonly state: RoomState;
  readonly deliveries: readonly Delivery[];
}

/** A command as its handler receives it. */
type CommandInput<T extends CommandType> = Extract<ClientCommand, { type: T }> & { readonly from: ConnId; readonly ts: number };
type Handler<T extends CommandType> = (state: RoomState, input: CommandInput<T>, config: RoomConfig) => Transition;

/**
 * The chat's transition function. Pure: no I/O, no clock (the time comes with the input), so every
 * rule of the chat is tested in virtual time. Each command has one handler below, keyed by the same
 * `type` as its entry in the command registry (src/protocol/commands.ts).
 */
export function reduceRoom(state: RoomState, input: RoomInput, config: RoomConfig = DEFAULT_ROOM_CONFIG): Transition {
  if (input.type === 'disconnect') return leaveChat(state, input.from, input.reason, input.ts, [], config);
  if (input.type !== 'hello' && input.type !== 'quit' && !state.users.has(input.from)) {
    return reply(state, input.from, errorEvent('not_registered', 'choose a name first'));
  }
  const handler = HANDLERS[input.type] as Handler<CommandType> | undefined;
  // Unreachable by type; kept so that a future input kind can never throw inside the shared room.
  if (!handler) return { state, deliveries: [] };
  return handler(state, input as CommandInput<CommandType>, config);
}

const HANDLERS: { readonly [T in CommandType]: Handler<T> } = {
  hello: register,
  say: (state, input, config) => sayInRoom(state, input, false, config),
  me: (state, input, config) => sayInRoom(state, input, true, config),
  join,
  part,
  rooms: listRooms,
  names: listNames,
  msg: privateMessage,
  nick: rename,
  help: (state, input) => reply(state, input.from, HELP),
  quit,
};

/** `/help`, generated from the command registry: every command that has a text-mode form. */
const HELP: ServerEvent = {
  type: 'help',
  commands: COMMANDS.filter((spec) => spec.slash !== null).map((spec) => ({ command: `/${spec.slash}`, args: spec.args, help: spec.help })),
};

function register(state: RoomState, { from, name: requested, ts }: CommandInput<'hello'>, config: RoomConfig): Transition {
  const existing = state.users.get(from);
  if (existing) {
    return reply(state, from, errorEvent('already_registered', `you are already in the chat as ${existing.name}`));
  }
  const check = checkName(requested);
  if (!check.ok) {
    return reply(state, from, errorEvent('name_invalid', `name ${quoteForError(requested)} is invalid: ${check.reason}; try another`));
  }
  if (state.names.has(check.key)) {
    return reply(state, from, errorEvent('name_taken', `name ${quoteForError(check.name)} is taken; try another`));
  }
  const user: User = { id: from, name: check.name, key: check.key, rooms: OrderedSet(), current: null };
  const named: RoomState = { ...state, users: state.users.set(from, user), names: state.names.set(check.key, from) };
  const lobby = checkRoomName(LOBBY) as { room: string; key: string };
  const { state: next, channel } = addToRoom(named, user, lobby.room, lobby.key);
  const welcome: ServerEvent = {
    type: 'welcome',
    name: user.name,
    room: channel.name,
    ...memberList(next, channel, config),
    ...(config.motd === undefined ? {} : { motd: config.motd }),
  };
  return { state: next, deliveries: [{ to: one(from), event: welcome }, ...arrival(next, from, channel, ts, config)] };
}

function sayInRoom(
  state: RoomState,
  { from, text, room, ts }: CommandInput<'say' | 'me'>,
  action: boolean,
  config: RoomConfig,
): Transition {
  const user = state.users.get(from)!;
  const target = resolveRoom(state, user, room);
  if ('type' in target) return reply(state, from, target);
  const id = state.nextMessageId;
  const event: MessageEvent = { type: 'message', room: target.channel.name, from: user.name, text, ts, id, ...(action ? { action: true } : {}) };
  let history = target.channel.history.push(event);
  if (history.size > config.historyLength) history = history.skip(history.size - config.historyLength).toList();
  return {
    state: {
      ...state,
      nextMessageId: id + 1,
      channels: state.channels.set(target.key, { ...target.channel, history }),
    },
    deliveries: [{ to: { kind: 'members', members: target.channel.members }, event }],
  };
}

function join(state: RoomState, { from, room, ts }: CommandInput<'join'>, config: RoomConfig): Transition {
  const user = state.users.get(from)!;
  const check = checkRoomName(room);
  if (!check.ok) return reply(state, from, errorEvent('room_invalid', `room ${quoteForError(room)} is invalid: ${check.reason}`));
  if (user.rooms.has(check.key)) {
    // Already there: joining again makes it the current room.
    const next = { ...state, users: state.users.set(from, { ...user, current: check.key }) };
    const channel = next.channels.get(check.key)!;
    return reply(next, from, { type: 'entered', room: channel.name, ...memberList(next, channel, config) });
  }
  if (user.rooms.size >= config.maxRoomsPerUser) {
    return reply(state, from, errorEvent('too_many_rooms', `you are in ${user.rooms.size} rooms, the most allowed; /part one first`));
  }
  // The lobby keeps its one spelling however somebody types it when it has to be created again.
  const display = check.key === LOBBY_KEY ? LOBBY : check.room;
  const { state: next, channel } = addToRoom(state, user, display, check.key);
  return {
    state: next,
    deliveries: [
      { to: one(from), event: { type: 'entered', room: channel.name, ...memberList(next, channel, config) } },
      ...arrival(next, from, channel, ts, config),
    ],
  };
}

function part(state: RoomState, { from, room, ts }: CommandInput<'part'>, config: RoomConfig): Transition {
  const user = state.users.get(from)!;
  const target = resolveRoom(state, user, room);
  if ('type' in target) return reply(state, from, target);
  const next = removeFromRoom(state, user, target.key);
  const current = next.users.get(from)!.current;
  const deliveries: Delivery[] = [
    { to: one(from), event: { type: 'parted', room: target.channel.name, current: current === null ? null : next.channels.get(current)!.name } },
  ];
  const remaining = next.channels.get(target.key);
  if (remaining && !isQuiet(target.channel, config)) {
    deliveries.push({ to: { kind: 'members', members: remaining.members }, event: { type: 'left', name: user.name, room: target.channel.name, reason: 'part', ts } });
  }
  return { state: next, deliveries };
}

function listRooms(state: RoomState, { from }: CommandInput<'rooms'>): Transition {
  const rooms = Array.from(state.channels.entries())
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, channel]) => ({ room: channel.name, users: channel.members.size }));
  return reply(state, from, { type: 'rooms', rooms });
}

function listNames(state: RoomState, { from, room }: CommandInput<'names'>): Transition {
  const user = state.users.get(from)!;
  let channel: Channel | undefined;
  if (room === undefined) {
    const target = resolveRoom(state, user, undefined);
    if ('type' in target) return reply(state, from, target);
    channel = target.channel;
  } else {
    const check = checkRoomName(room);
    if (!check.ok) return reply(state, from, errorEvent('room_invalid', `room ${quoteForError(room)} is invalid: ${check.reason}`));
    channel = state.channels.get(check.key);
    if (!channel) return reply(state, from, errorEvent('no_such_room', `there is no room ${check.room}; /rooms lists them`));
  }
  return reply(state, from, { type: 'names', room: channel.name, users: sortedNames(state, channel.members) });
}

function privateMessage(state: RoomState, { from, to, text, ts }: CommandInput<'msg'>): Transition {
  const sender = state.users.get(from)!;
  const check = checkName(to);
  const targetId = check.ok ? state.names.get(check.key) : undefined;
  if (targetId === undefined) return reply(state, from, errorEvent('no_such_user', `nobody named ${quoteForError(to)} is online`));
  const target = state.users.get(targetId)!;
  const id = state.nextMessageId;
  return {
    state: { ...state, nextMessageId: id + 1 },
    deliveries: [
      {
        to: { kind: 'list', ids: targetId === from ? [from] : [targetId, from] },
        event: { type: 'private', from: sender.name, to: target.name, text, ts, id },
      },
    ],
  };
}

function rename(state: RoomState, { from, name: requested, ts }: CommandInput<'nick'>): Transition {
  const user = state.users.get(from)!;
  const check = checkName(requested);
  if (!check.ok) return reply(state, from, errorEvent('name_invalid', `name ${quoteForError(requested)} is invalid: ${check.reason}`));
  if (check.name === user.name) return reply(state, from, errorEvent('bad_command', `you are already called ${user.name}`));
  const holder = state.names.get(check.key);
  if (holder !== undefined && holder !== from) {
    return reply(state, from, errorEvent('name_taken', `name ${quoteForError(check.name)} is taken`));
  }
  const next: RoomState = {
    ...state,
    users: state.users.set(from, { ...user, name: check.name, key: check.key }),
    names: state.names.delete(user.key).set(check.key, from),
  };
  const audience = new Set<ConnId>([from]);
  for (const key of user.rooms) for (const id of state.channels.get(key)!.members) audience.add(id);
  return { state: next, deliveries: [{ to: { kind: 'list', ids: [...audience] }, event: { type: 'nick', old: user.name, name: check.name, ts } }] };
}

function quit(state: RoomState, { from, ts }: CommandInput<'quit'>, config: RoomConfig): Transition {
  const user = state.users.get(from);
  const goodbye = user ? `Goodbye, ${user.name}!` : 'Goodbye!';
  return leaveChat(state, from, 'quit', ts, [{ to: one(from), event: { type: 'bye', reason: 'quit', message: goodbye } }], config);
}

/**
 * Removes a user (if registered) from every room and the chat, and tells everyone who shared a
 * non-quiet room with them, once each. A second leave for the same id is a no-op.
 */
function leaveChat(state: RoomState, from: ConnId, reason: LeaveReason, ts: number, first: Delivery[], config: RoomConfig): Transition {
  const user = state.users.get(from);
  if (!user) return { state, deliveries: first };
  const audience = new Set<ConnId>();
  let next = state;
  for (const key of user.rooms) {
    const channel = next.channels.get(key)!;
    next = removeFromRoom(next, next.users.get(from)!, key);
    const remaining = next.channels.get(key);
    if (remaining && !isQuiet(channel, config)) for (const id of remaining.members) audience.add(id);
  }
  next = { ...next, users: next.users.delete(from), names: next.names.delete(user.key) };
  // Delivered even to nobody: the leave is a fact of the chat (the server logs it), not only a notice.
  const deliveries = [...first, { to: { kind: 'list', ids: [...audience] }, event: { type: 'left', name: user.name, reason, ts } } as Delivery];
  return { state: next, deliveries };
}

/** Adds a user to a room, creating it if needed, and makes it their current room. */
function addToRoom(state: RoomState, user: User, room: string, key: string): { state: RoomState; channel: Channel } {
  const existing = state.channels.get(key);
  const channel: Channel = existing
    ? { ...existing, members: existing.members.add(user.id) }
    : { name: room, members: ImmutableSet([user.id]), history: List() };
  const updated: User = { ...user, rooms: user.rooms.add(key), current: key };
  return {
    state: { ...state, channels: state.channels.set(key, channel), users: state.users.set(user.id, updated) },
    channel,
  };
}

/** Removes a user from a room; an empty room disappears. A current room that is left falls back to the newest other. */
function removeFromRoom(state: RoomState, user: User, key: string): RoomState {
  const channel = state.channels.get(key)!;
  const members = channel.members.delete(user.id);
  const rooms = user.rooms.delete(key);
  const current = user.current === key ? (rooms.last() ?? null) : user.current;
  return {
    ...state,
    channels: members.size === 0 ? state.channels.delete(key) : state.channels.set(key, { ...channel, members }),
    users: state.users.set(user.id, { ...user, rooms, current }),
  };
}

/** What a newcomer to a room is sent after `welcome`/`entered`: the room's history, and the others are told. */
function arrival(state: RoomState, from: ConnId, channel: Channel, ts: number, config: RoomConfig): Delivery[] {
  const user = state.users.get(from)!;
  const deliveries: Delivery[] = channel.history.map((message): Delivery => ({ to: one(from), event: { ...message, history: true } })).toArray();
  if (!isQuiet(channel, config) && channel.members.size > 1) {
    deliveries.push({ to: { kind: 'members', members: channel.members, except: from }, event: { type: 'joined', room: channel.name, name: user.name, ts } });
  }
  return deliveries;
}

/** A room too large to announce joins and leaves in, or to list in every welcome. */
function isQuiet(channel: Channel, config: RoomConfig): boolean {
  return channel.members.size > config.announceLimit;
}

function memberList(state: RoomState, channel: Channel, config: RoomConfig): { users: string[]; count: number } {
  return { users: isQuiet(channel, config) ? [] : sortedNames(state, channel.members), count: channel.members.size };
}

function sortedNames(state: RoomState, members: ImmutableSet<ConnId>): string[] {
  return Array.from(members, (id) => state.users.get(id)!.name).sort(compareNames);
}

/** The room a command is about: the one named (which the user must be in), else the current one. */
function resolveRoom(state: RoomState, user: User, room: string | undefined): { key: string; channel: Channel } | ErrorEvent {
  if (room === undefined) {
    if (user.current === null) return errorEvent('not_in_room', 'you are in no room: /join #room first');
    return { key: user.current, channel: state.channels.get(user.current)! };
  }
  const check = checkRoomName(room);
  if (!check.ok) return errorEvent('room_invalid', `room ${quoteForError(room)} is invalid: ${check.reason}`);
  if (!user.rooms.has(check.key)) return errorEvent('not_in_room', `you are not in ${check.room}: /join ${check.room} first`);
  return { key: check.key, channel: state.channels.get(check.key)! };
}

const one = (id: ConnId): Audience => ({ kind: 'one', id });

function reply(state: RoomState, to: ConnId, event: ServerEvent): Transition {
  return { state, deliveries: [{ to: one(to), event }] };
}
