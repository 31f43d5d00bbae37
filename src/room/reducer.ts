import { errorEvent, LeaveReason } from '../protocol/frames';
import { checkName, quoteForError } from '../protocol/sanitize';
import { Audience, Delivery, RoomInput } from './events';
import { ConnId, RoomState, User } from './state';

/** The result of one input: the next state and what to tell whom. */
export interface Transition {
  readonly state: RoomState;
  readonly deliveries: readonly Delivery[];
}

const one = (id: ConnId): Audience => ({ kind: 'one', id });
const everyone = (state: RoomState, except?: ConnId): Audience => ({ kind: 'everyone', users: state.users, except });

/**
 * The room's transition function. Pure: no I/O, no clock (the time comes with the input), so every
 * rule of the chat is tested in virtual time.
 */
export function reduceRoom(state: RoomState, input: RoomInput): Transition {
  switch (input.type) {
    case 'hello':
      return register(state, input.from, input.name, input.ts);
    case 'say':
      return say(state, input.from, input.text, input.ts);
    case 'quit':
      return quit(state, input.from, input.ts);
    case 'disconnect':
      return leave(state, input.from, input.reason, input.ts, []);
    default:
      // Unreachable by type; kept so that a future input kind can never throw inside the shared room.
      return { state, deliveries: [] };
  }
}

function register(state: RoomState, from: ConnId, requested: string, ts: number): Transition {
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
  const user: User = { id: from, name: check.name, key: check.key };
  const next: RoomState = {
    ...state,
    users: state.users.set(from, user),
    names: state.names.set(check.key, from),
  };
  return {
    state: next,
    deliveries: [
      { to: one(from), event: { type: 'welcome', name: user.name, users: userNames(next) } },
      { to: everyone(next, from), event: { type: 'joined', name: user.name, ts } },
    ],
  };
}

function say(state: RoomState, from: ConnId, text: string, ts: number): Transition {
  const user = state.users.get(from);
  if (!user) return reply(state, from, errorEvent('not_registered', 'choose a name before sending messages'));
  const id = state.nextMessageId;
  return {
    state: { ...state, nextMessageId: id + 1 },
    deliveries: [{ to: everyone(state), event: { type: 'message', from: user.name, text, ts, id } }],
  };
}

function quit(state: RoomState, from: ConnId, ts: number): Transition {
  const user = state.users.get(from);
  const goodbye = user ? `Goodbye, ${user.name}!` : 'Goodbye!';
  return leave(state, from, 'quit', ts, [{ to: one(from), event: { type: 'bye', reason: 'quit', message: goodbye } }]);
}

/** Removes a user (if registered) and tells everyone else; a second leave for the same id is a no-op. */
function leave(state: RoomState, from: ConnId, reason: LeaveReason, ts: number, first: Delivery[]): Transition {
  const user = state.users.get(from);
  if (!user) return { state, deliveries: first };
  const next: RoomState = { ...state, users: state.users.delete(from), names: state.names.delete(user.key) };
  return {
    state: next,
    deliveries: [...first, { to: everyone(next), event: { type: 'left', name: user.name, reason, ts } }],
  };
}

function reply(state: RoomState, to: ConnId, event: Delivery['event']): Transition {
  return { state, deliveries: [{ to: one(to), event }] };
}

function userNames(state: RoomState): string[] {
  return Array.from(state.users.values(), (user) => user.name).sort((a, b) =>
    a.localeCompare(b, undefined, { sensitivity: 'base' }),
  );
}
