import fc from 'fast-check';
import { Subject } from 'rxjs';
import { LeaveReason, MessageEvent, ServerEvent } from '../../src/protocol/frames';
import { LOBBY } from '../../src/protocol/limits';
import { checkName, checkRoomName, nameKey } from '../../src/protocol/sanitize';
import { ConnectionInput, ConnectionSource, Delivery, RoomInput } from '../../src/room/events';
import { reduceRoom } from '../../src/room/reducer';
import { createRoom } from '../../src/room/room';
import { ConnId, initialRoomState, RoomConfig, RoomState } from '../../src/room/state';
import {
  bye,
  entered,
  error,
  joined,
  left,
  nameList,
  parted,
  privateMessage,
  received,
  Received,
  renamed,
  roomList,
  to,
  welcome,
} from './room-helpers';

/** Enough runs to find interleavings that matter, few enough that the file takes a few seconds. */
const NUM_RUNS = 200;

/** Longest random sequence of inputs: long enough to fill rooms, histories and room limits. */
const MAX_OPS = 80;

/**
 * Sequences of inputs of any length up to MAX_OPS. fast-check's default size would keep arrays to about
 * ten items, too few for several users to register and then meet in rooms.
 */
const opsOf = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { maxLength: MAX_OPS, size: 'max' });

/** A run of the chat: registrations, then anything. */
const runOf = <T>(arbitrary: fc.Arbitrary<T>, register: (op: Op) => T) =>
  fc.tuple(registrations, opsOf(arbitrary)).map(([hellos, rest]) => [...hellos.map(register), ...rest]);

/** Few connections, so that random inputs often meet: the same name twice, a leave then a rejoin. */
const CONNECTIONS = 5;

/**
 * Names that clash with each other in interesting ways (case, NFC, final sigma, ß), names that are
 * invalid, and random strings.
 */
const requestedName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('alice', 'Alice', 'ALICE', 'bob', 'BOB', 'ΑΣ', 'ασ', 'ας', 'straße', 'STRASSE', 'Ren\u00e9', 'REN\u0045\u0301', '__proto__', 'constructor', 'toString') },
  { weight: 1, arbitrary: fc.constantFrom('', ' alice', 'al ice', 'a\u200bb', 'b\u202eob', '\u0301', 'x'.repeat(33)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);

/** Room names: the lobby and a few rooms under several spellings, invalid ones, and random ones. */
const requestedRoom = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(LOBBY, 'lobby', '#LOBBY', '#dev', 'dev', '#Dev', '#ops', '#ΑΣ', '#ας', '#straße', '#STRASSE', '#__proto__') },
  { weight: 1, arbitrary: fc.constantFrom('', '#', 'bad room', '##x', '#a\u200bb', `#${'x'.repeat(33)}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }).map((s) => `#${s}`) },
);
const optionalRoom = fc.option(requestedRoom, { nil: undefined, freq: 2 });

/** The limits are small and vary, so that runs reach them: full histories, quiet rooms, too many rooms. */
const roomConfig: fc.Arbitrary<RoomConfig> = fc.record({
  historyLength: fc.integer({ min: 0, max: 3 }),
  maxRoomsPerUser: fc.integer({ min: 1, max: 4 }),
  announceLimit: fc.integer({ min: 1, max: CONNECTIONS + 1 }),
});

const connId = fc.integer({ min: 1, max: CONNECTIONS });
const leaveReason = fc.constantFrom<LeaveReason>('disconnect', 'error', 'shutdown', 'quit');
const text = fc.string({ minLength: 1, maxLength: 6 });

type Op = { readonly from: ConnId } & (
  | { readonly type: 'hello'; readonly name: string }
  | { readonly type: 'say' | 'me'; readonly text: string; readonly room?: string }
  | { readonly type: 'join'; readonly room: string }
  | { readonly type: 'part' | 'names'; readonly room?: string }
  | { readonly type: 'rooms' }
  | { readonly type: 'msg'; readonly to: string; readonly text: string }
  | { readonly type: 'nick'; readonly name: string }
  | { readonly type: 'quit' }
  | { readonly type: 'disconnect'; readonly reason: LeaveReason }
);

/**
 * Inputs that start with everyone trying to register under names that are valid but often clash, so
 * that most of a run happens between registered users (random inputs from nobody only meet errors).
 */
const registrations: fc.Arbitrary<Op[]> = fc.array(
  fc.record({
    type: fc.constant('hello' as const),
    from: connId,
    name: fc.constantFrom('alice', 'Alice', 'bob', 'carol', 'dave', 'ΑΣ', 'ας', 'straße', 'STRASSE', 'Ren\u00e9', 'REN\u0045\u0301'),
  }),
  { minLength: CONNECTIONS, maxLength: 2 * CONNECTIONS },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('hello' as const), from: connId, name: requestedName }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('say' as const), from: connId, text, room: optionalRoom }, { requiredKeys: ['type', 'from', 'text'] }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('me' as const), from: connId, text, room: optionalRoom }, { requiredKeys: ['type', 'from', 'text'] }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('join' as const), from: connId, room: requestedRoom }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('part' as const), from: connId, room: optionalRoom }, { requiredKeys: ['type', 'from'] }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('names' as const), from: connId, room: optionalRoom }, { requiredKeys: ['type', 'from'] }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('rooms' as const), from: connId }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('msg' as const), from: connId, to: requestedName, text }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('nick' as const), from: connId, name: requestedName }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('quit' as const), from: connId }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('disconnect' as const), from: connId, reason: leaveReason }) },
);

/**
 * Two names are the same name if they are equal once lower-cased or once upper-cased. This is
 * written independently of the room's own key, as the rule the key must respect.
 */
function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

const byId = (a: number, b: number) => a - b;
const byKey = ([a]: readonly unknown[], [b]: readonly unknown[]) => String(a).localeCompare(String(b));

/** User lists as sets: their display order is tested in the marble specs. */
function withSortedUsers(delivery: Received): Received {
  const { event } = delivery;
  if (event.type === 'welcome' || event.type === 'entered' || event.type === 'names') {
    return { ...delivery, event: { ...event, users: [...event.users].sort() } };
  }
  return delivery;
}

interface ModelUser {
  name: string;
  /** Room keys in the order they were joined. */
  rooms: string[];
  current: string | null;
}

interface ModelRoom {
  readonly name: string;
  readonly members: Set<ConnId>;
  history: ServerEvent[];
}

type Resolved = { readonly key: string; readonly room: ModelRoom } | { readonly error: ServerEvent };

/**
 * What the chat must do, kept as simply as possible: who is in, under what name, in which rooms, each
 * room's history, and the next id. Each step returns the deliveries the room must make.
 */
class ChatModel {
  readonly users = new Map<ConnId, ModelUser>();
  readonly rooms = new Map<string, ModelRoom>();
  nextMessageId = 1;

  constructor(private readonly config: RoomConfig) {}

  step(input: Op, ts: number): Received[] {
    const user = this.users.get(input.from);
    if (input.type === 'disconnect') return this.leave(input.from, input.reason, ts);
    if (input.type === 'quit') {
      return [to([input.from], bye(user === undefined ? 'Goodbye!' : `Goodbye, ${user.name}!`)), ...this.leave(input.from, 'quit', ts)];
    }
    if (input.type === 'hello') return this.hello(input.from, input.name, ts);
    if (user === undefined) return [to([input.from], error('not_registered'))];
    const self = (event: ServerEvent) => [to([input.from], event)];
    switch (input.type) {
      case 'say':
      case 'me': {
        const target = this.resolve(user, input.room);
        if ('error' in target) return self(target.error);
        const event: MessageEvent = {
          type: 'message',
          room: target.room.name,
          from: user.name,
          text: input.text,
          ts,
          id: this.nextMessageId++,
          ...(input.type === 'me' ? { action: true as const } : {}),
        };
        const history = [...target.room.history, event];
        target.room.history = history.slice(Math.max(0, history.length - this.config.historyLength));
        return [to([...target.room.members], event)];
      }
      case 'join': {
        const check = checkRoomName(input.room);
        if (!check.ok) return self(error('room_invalid'));
        if (user.rooms.includes(check.key)) {
          user.current = check.key;
          return self(entered(this.rooms.get(check.key)!.name, ...this.memberList(this.rooms.get(check.key)!)));
        }
        if (user.rooms.length >= this.config.maxRoomsPerUser) return self(error('too_many_rooms'));
        // The lobby keeps its own spelling when it is created again, whatever the spelling asked for.
        return this.enter(input.from, check.key === LOBBY ? LOBBY : check.room, check.key, ts, 'entered');
      }
      case 'part': {
        const target = this.resolve(user, input.room);
        if ('error' in target) return self(target.error);
        const announced = !this.isQuiet(target.room);
        this.remove(input.from, target.key);
        const current = user.current === null ? null : this.rooms.get(user.current)!.name;
        const deliveries = self(parted(target.room.name, current));
        if (this.rooms.has(target.key) && announced) {
          deliveries.push(to([...target.room.members], left(user.name, 'part', ts, target.room.name)));
        }
        return deliveries;
      }
      case 'rooms':
        return self(roomList([...this.rooms.keys()].sort().map((key) => [this.rooms.get(key)!.name, this.rooms.get(key)!.members.size])));
      case 'names': {
        if (input.room === undefined) {
          const target = this.resolve(user, undefined);
          if ('error' in target) return self(target.error);
          return self(nameList(target.room.name, this.sortedNames(target.room)));
        }
        const check = checkRoomName(input.room);
        if (!check.ok) return self(error('room_invalid'));
        const room = this.rooms.get(check.key);
        if (!room) return self(error('no_such_room'));
        return self(nameList(room.name, this.sortedNames(room)));
      }
      case 'msg': {
        const wanted = checkName(input.to).ok ? nameKey(input.to.normalize('NFC')) : undefined;
        const target = [...this.users].find(([, other]) => nameKey(other.name) === wanted);
        if (!target) return self(error('no_such_user'));
        const [targetId, targetUser] = target;
        return [to([...new Set([input.from, targetId])], privateMessage(user.name, targetUser.name, input.text, ts, this.nextMessageId++))];
      }
      case 'nick': {
        if (!checkName(input.name).ok) return self(error('name_invalid'));
        const wanted = input.name.normalize('NFC');
        if (wanted === user.name) return self(error('bad_command'));
        const holder = [...this.users].find(([id, other]) => id !== input.from && nameKey(other.name) === nameKey(wanted));
        if (holder) return self(error('name_taken'));
        const audience = new Set([input.from]);
        for (const key of user.rooms) for (const id of this.rooms.get(key)!.members) audience.add(id);
        const event = renamed(user.name, wanted, ts);
        user.name = wanted;
        return [to([...audience], event)];
      }
    }
  }

  private hello(id: ConnId, requested: string, ts: number): Received[] {
    if (this.users.has(id)) return [to([id], error('already_registered'))];
    if (!checkName(requested).ok) return [to([id], error('name_invalid'))];
    const wanted = requested.normalize('NFC');
    if ([...this.users.values()].some((other) => nameKey(other.name) === nameKey(wanted))) return [to([id], error('name_taken'))];
    this.users.set(id, { name: wanted, rooms: [], current: null });
    return this.enter(id, LOBBY, LOBBY, ts, 'welcome');
  }

  /** A user comes into a room: told so (with the history), and the others are told if the room is not quiet. */
  private enter(id: ConnId, display: string, key: string, ts: number, kind: 'welcome' | 'entered'): Received[] {
    const user = this.users.get(id)!;
    let room = this.rooms.get(key);
    if (!room) {
      room = { name: display, members: new Set(), history: [] };
      this.rooms.set(key, room);
    }
    const others = [...room.members];
    room.members.add(id);
    user.rooms.push(key);
    user.current = key;
    const [users, count] = this.memberList(room);
    const deliveries = [
      // The lobby keeps the spelling of whoever created it, like every room.
      to([id], kind === 'welcome' ? ({ ...welcome(user.name, users, count), room: room.name } as ServerEvent) : entered(room.name, users, count)),
      ...room.history.map((event) => to([id], { ...event, history: true } as ServerEvent)),
    ];
    if (!this.isQuiet(room) && others.length > 0) deliveries.push(to(others, joined(user.name, ts, room.name)));
    return deliveries;
  }

  private leave(id: ConnId, reason: LeaveReason, ts: number): Received[] {
    const user = this.users.get(id);
    if (user === undefined) return [];
    const audience = new Set<ConnId>();
    for (const key of [...user.rooms]) {
      const room = this.rooms.get(key)!;
      const announced = !this.isQuiet(room);
      this.remove(id, key);
      if (this.rooms.has(key) && announced) for (const member of room.members) audience.add(member);
    }
    this.users.delete(id);
    return [to([...audience], left(user.name, reason, ts))];
  }

  private remove(id: ConnId, key: string): void {
    const user = this.users.get(id)!;
    const room = this.rooms.get(key)!;
    room.members.delete(id);
    if (room.members.size === 0) this.rooms.delete(key);
    user.rooms = user.rooms.filter((k) => k !== key);
    if (user.current === key) user.current = user.rooms.length === 0 ? null : user.rooms[user.rooms.length - 1];
  }

  private resolve(user: ModelUser, requested: string | undefined): Resolved {
    if (requested === undefined) {
      return user.current === null ? { error: error('not_in_room') } : { key: user.current, room: this.rooms.get(user.current)! };
    }
    const check = checkRoomName(requested);
    if (!check.ok) return { error: error('room_invalid') };
    if (!user.rooms.includes(check.key)) return { error: error('not_in_room') };
    return { key: check.key, room: this.rooms.get(check.key)! };
  }

  private isQuiet(room: ModelRoom): boolean {
    return room.members.size > this.config.announceLimit;
  }

  private memberList(room: ModelRoom): [string[], number] {
    return [this.isQuiet(room) ? [] : this.sortedNames(room), room.members.size];
  }

  private sortedNames(room: ModelRoom): string[] {
    return [...room.members].map((id) => this.users.get(id)!.name).sort();
  }
}

/**
 * The chat's state agrees with the model and keeps its own rules. Rule violations are collected and
 * compared with none at the end, one `expect` per step, which keeps thousands of steps fast.
 */
function checkInvariants(state: RoomState, model: ChatModel, config: RoomConfig): void {
  // The chat's users are the model's, under the same names, in the same rooms, with the same current room.
  const users = [...state.users]
    .sort(([a], [b]) => a - b)
    .map(([id, user]) => [id, { name: user.name, rooms: [...user.rooms], current: user.current }]);
  // Rooms exist while somebody is in them, with the model's members.
  const channels = [...state.channels].map(([key, channel]) => [key, [...channel.members].sort(byId)]).sort(byKey);
  expect({ users, channels }).toEqual({
    users: [...model.users].sort(([a], [b]) => a - b),
    channels: [...model.rooms].map(([key, room]) => [key, [...room.members].sort(byId)]).sort(byKey),
  });

  const problems: string[] = [];
  // The name index holds exactly the users' keys, each pointing back to its user.
  if (state.names.size !== state.users.size) problems.push(`${state.names.size} names for ${state.users.size} users`);
  for (const [id, user] of state.users) {
    if (state.names.get(user.key) !== id) problems.push(`name index misses ${user.name}`);
    // Nobody is in more rooms than allowed, and the current room is one of theirs (none only when in none).
    if (user.rooms.size > config.maxRoomsPerUser) problems.push(`${user.name} is in ${user.rooms.size} rooms`);
    if (user.current === null ? user.rooms.size !== 0 : !user.rooms.has(user.current)) problems.push(`${user.name}'s current room is ${user.current}`);
    for (const key of user.rooms) if (!state.channels.get(key)?.members.has(id)) problems.push(`${key} misses ${user.name}`);
  }
  // No two users have the same name, ignoring case.
  const names = [...state.users.values()].map((user) => user.name);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (sameIgnoringCase(names[i], names[j])) problems.push(`${names[i]} and ${names[j]} are both online`);
    }
  }
  // Rooms hold only users who count them as theirs, are keyed by their name, and keep their history short.
  for (const [key, channel] of state.channels) {
    if (channel.members.size === 0) problems.push(`${key} is empty`);
    const check = checkRoomName(channel.name);
    const expectedName = check.ok && check.key === LOBBY ? LOBBY : check.ok ? check.room : undefined;
    if (!check.ok || expectedName !== channel.name || check.key !== key) problems.push(`${key} is called ${channel.name}`);
    for (const id of channel.members) if (!state.users.get(id)?.rooms.has(key)) problems.push(`${key} holds ${id}, not in it`);
    if (channel.history.size > config.historyLength) problems.push(`${key} keeps ${channel.history.size} messages`);
  }
  expect(problems).toEqual([]);
}

/**
 * Checked without the model: a live room message reaches exactly the members of its room at that
 * moment (membership does not change when somebody speaks), and a replayed one only its newcomer.
 */
function checkMessageAudiences(before: RoomState, after: RoomState, deliveries: readonly Delivery[]): void {
  for (const delivery of deliveries) {
    const { to: ids, event } = received(delivery);
    if (event.type !== 'message') continue;
    const key = (checkRoomName(event.room) as { key: string }).key;
    if (event.history) {
      expect(ids).toHaveLength(1);
      expect(after.channels.get(key)!.members.has(ids[0])).toBe(true);
      expect(before.channels.get(key)?.members.has(ids[0]) ?? false).toBe(false);
    } else {
      expect(ids).toEqual([...before.channels.get(key)!.members].sort(byId));
    }
  }
}

function run(ops: readonly Op[], config: RoomConfig, onStep: (input: Op, transition: ReturnType<typeof reduceRoom>, before: RoomState, ts: number) => void): RoomState {
  let state = initialRoomState;
  ops.forEach((input, ts) => {
    const transition = reduceRoom(state, { ...input, ts } as RoomInput, config);
    onStep(input, transition, state, ts);
    state = transition.state;
  });
  return state;
}

describe('reduceRoom properties', () => {
  it('never throws, keeps names unique and room counts bounded, and delivers each event to exactly the right users', () => {
    fc.assert(
      fc.property(runOf(op, (o) => o), roomConfig, (ops, config) => {
        const model = new ChatModel(config);
        run(ops, config, (input, transition, before, ts) => {
          expect(transition.deliveries.map(received).map(withSortedUsers)).toEqual(model.step(input, ts));
          checkMessageAudiences(before, transition.state, transition.deliveries);
          checkInvariants(transition.state, model, config);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('matches every entry into a room with exactly one leave once everyone has disconnected', () => {
    fc.assert(
      fc.property(runOf(op, (o) => o), roomConfig, (ops, config) => {
        const everyoneGoes: Op[] = Array.from({ length: CONNECTIONS }, (_, i) => ({ type: 'disconnect', from: i + 1, reason: 'disconnect' }));
        const deliveries: Delivery[] = [];
        const state = run([...ops, ...everyoneGoes], config, (_, transition) => deliveries.push(...transition.deliveries));

        expect(state.users.size).toBe(0);
        expect(state.names.size).toBe(0);
        expect(state.channels.size).toBe(0);
        // Follow each connection by what it is told about itself: welcome and entered put it in a room,
        // parted takes it out of one, and its leaving the chat (told to the others) out of all of them.
        const idOf = new Map<string, ConnId>();
        const roomsOf = new Map<ConnId, string[]>();
        for (const delivery of deliveries) {
          const { event } = delivery;
          const self = delivery.to.kind === 'one' ? delivery.to.id : undefined;
          if (event.type === 'welcome') {
            expect(self).toBeDefined();
            expect(roomsOf.has(self!)).toBe(false);
            expect([...idOf.keys()].some((name) => sameIgnoringCase(name, event.name))).toBe(false);
            idOf.set(event.name, self!);
            roomsOf.set(self!, [event.room]);
          } else if (event.type === 'entered') {
            const rooms = roomsOf.get(self!)!;
            // Entering a room one is already in only switches to it.
            if (!rooms.includes(event.room)) rooms.push(event.room);
            expect(rooms.length).toBeLessThanOrEqual(config.maxRoomsPerUser);
          } else if (event.type === 'parted') {
            const rooms = roomsOf.get(self!)!;
            expect(rooms).toContain(event.room);
            roomsOf.set(self!, rooms.filter((room) => room !== event.room));
          } else if (event.type === 'nick') {
            const id = idOf.get(event.old)!;
            expect(id).toBeDefined();
            idOf.delete(event.old);
            idOf.set(event.name, id);
          } else if (event.type === 'left' && event.reason !== 'part') {
            // Sent once, naming no room (it would tell recipients of rooms they are not in).
            const id = idOf.get(event.name)!;
            expect(id).toBeDefined();
            expect(event.room).toBeUndefined();
            idOf.delete(event.name);
            roomsOf.delete(id);
          }
        }
        expect(idOf.size).toBe(0);
        expect(roomsOf.size).toBe(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('room actor properties', () => {
  /** What may happen to a connection's stream besides its inputs: it ends, or it fails. */
  type ActorOp =
    | { readonly kind: 'input'; readonly op: Op }
    | { readonly kind: 'complete'; readonly from: ConnId }
    | { readonly kind: 'error'; readonly from: ConnId };

  const actorOp: fc.Arbitrary<ActorOp> = fc.oneof(
    { weight: 6, arbitrary: op.map((o) => ({ kind: 'input' as const, op: o })) },
    { weight: 1, arbitrary: connId.map((from) => ({ kind: 'complete' as const, from })) },
    { weight: 1, arbitrary: connId.map((from) => ({ kind: 'error' as const, from })) },
  );

  it('survives any mix of inputs, ends and errors, and pairs every join with one leave', () => {
    fc.assert(
      fc.property(runOf(actorOp, (o) => ({ kind: 'input' as const, op: o })), roomConfig, (ops, config) => {
        const connections$ = new Subject<ConnectionSource>();
        const room = createRoom(connections$, { now: () => 0, config });
        const deliveries: Delivery[] = [];
        let completed = false;
        let failed: unknown;
        room.deliveries$.subscribe({
          next: (d) => deliveries.push(d),
          error: (err: unknown) => (failed = err),
          complete: () => (completed = true),
        });

        // A slot number picks one of a few "places"; each place gets a new connection (a new id)
        // whenever its previous one has ended, as reconnecting users do.
        let nextId = 1;
        const open = new Map<number, { id: ConnId; input$: Subject<ConnectionInput> }>();
        const connectionAt = (slot: number) => {
          let connection = open.get(slot);
          if (!connection) {
            connection = { id: nextId++, input$: new Subject<ConnectionInput>() };
            open.set(slot, connection);
            connections$.next({ id: connection.id, input$: connection.input$ });
          }
          return connection;
        };

        for (const step of ops) {
          if (step.kind === 'input') {
            const { from, ...input } = step.op;
            connectionAt(from).input$.next(input as ConnectionInput);
          } else {
            const connection = connectionAt(step.from);
            open.delete(step.from);
            if (step.kind === 'complete') connection.input$.complete();
            else connection.input$.error(new Error('connection reset'));
          }
          expect(failed).toBeUndefined();
          expect(completed).toBe(false);
        }
        for (const connection of open.values()) connection.input$.complete();
        connections$.complete();

        expect(failed).toBeUndefined();
        expect(completed).toBe(true);
        // Each name is held by one connection at a time (renames move it), and every welcome is
        // followed by exactly one leave of the chat.
        const nameOf = new Map<string, ConnId>();
        for (const { to: audience, event } of deliveries) {
          if (event.type === 'welcome') {
            expect(audience.kind).toBe('one');
            expect([...nameOf.keys()].some((name) => sameIgnoringCase(name, event.name))).toBe(false);
            nameOf.set(event.name, audience.kind === 'one' ? audience.id : -1);
          } else if (event.type === 'nick') {
            const id = nameOf.get(event.old);
            expect(id).toBeDefined();
            expect(nameOf.delete(event.old)).toBe(true);
            expect([...nameOf.keys()].some((name) => sameIgnoringCase(name, event.name))).toBe(false);
            nameOf.set(event.name, id!);
          } else if (event.type === 'left' && event.reason !== 'part') {
            expect(nameOf.delete(event.name)).toBe(true);
          }
        }
        expect(nameOf.size).toBe(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
