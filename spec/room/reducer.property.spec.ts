import fc from 'fast-check';
import { Subject } from 'rxjs';
import { LeaveReason, ServerEvent } from '../../src/protocol/frames';
import { checkName, nameKey } from '../../src/protocol/sanitize';
import { ConnectionInput, ConnectionSource, Delivery, RoomInput } from '../../src/room/events';
import { reduceRoom } from '../../src/room/reducer';
import { createRoom } from '../../src/room/room';
import { ConnId, initialRoomState, RoomState } from '../../src/room/state';
import { bye, error, joined, left, message, received, Received, to, welcome } from './room-helpers';

/** Enough runs to find interleavings that matter, few enough that the file takes a few seconds. */
const NUM_RUNS = 200;

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

const connId = fc.integer({ min: 1, max: CONNECTIONS });
const leaveReason = fc.constantFrom<LeaveReason>('disconnect', 'error', 'shutdown', 'quit');

type Op = { readonly from: ConnId } & (
  | { readonly type: 'hello'; readonly name: string }
  | { readonly type: 'say'; readonly text: string }
  | { readonly type: 'quit' }
  | { readonly type: 'disconnect'; readonly reason: LeaveReason }
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('hello' as const), from: connId, name: requestedName }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('say' as const), from: connId, text: fc.string({ minLength: 1, maxLength: 6 }) }) },
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

/** The welcome's user list as a set: its display order is tested in room.spec.ts. */
function withSortedUsers(delivery: Received): Received {
  const { event } = delivery;
  return event.type === 'welcome' ? { ...delivery, event: { ...event, users: [...event.users].sort() } } : delivery;
}

/**
 * What the room must do, kept as simply as possible: who is in, under what name, and the next id.
 * Each step returns the deliveries the room must make.
 */
class RoomModel {
  readonly members = new Map<ConnId, string>();
  nextMessageId = 1;

  step(input: Op, ts: number): Received[] {
    const name = this.members.get(input.from);
    switch (input.type) {
      case 'hello': {
        if (name !== undefined) return [to([input.from], error('already_registered'))];
        const check = checkName(input.name);
        if (!check.ok) return [to([input.from], error('name_invalid'))];
        const wanted = input.name.normalize('NFC');
        const taken = [...this.members.values()].some((member) => nameKey(member) === nameKey(wanted));
        if (taken) return [to([input.from], error('name_taken'))];
        const others = this.ids();
        this.members.set(input.from, wanted);
        return [
          to([input.from], welcome(wanted, this.names().sort())),
          to(others, joined(wanted, ts)),
        ];
      }
      case 'say':
        if (name === undefined) return [to([input.from], error('not_registered'))];
        return [to(this.ids(), message(name, input.text, ts, this.nextMessageId++))];
      case 'quit':
        return [to([input.from], bye(name === undefined ? 'Goodbye!' : `Goodbye, ${name}!`)), ...this.leave(input.from, 'quit', ts)];
      case 'disconnect':
        return this.leave(input.from, input.reason, ts);
    }
  }

  private leave(id: ConnId, reason: LeaveReason, ts: number): Received[] {
    const name = this.members.get(id);
    if (name === undefined) return [];
    this.members.delete(id);
    return [to(this.ids(), left(name, reason, ts))];
  }

  private ids(): ConnId[] {
    return [...this.members.keys()].sort(byId);
  }

  private names(): string[] {
    return [...this.members.values()];
  }
}

function checkInvariants(state: RoomState, model: RoomModel): void {
  // The room's members are the model's, under the same names.
  expect(new Map([...state.users].map(([id, user]) => [id, user.name]))).toEqual(model.members);
  // The name index holds exactly the members' keys, each pointing back to its member.
  expect(state.names.size).toBe(state.users.size);
  for (const [id, user] of state.users) expect(state.names.get(user.key)).toBe(id);
  // No two members have the same name, ignoring case.
  const names = [...state.users.values()].map((user) => user.name);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      expect(sameIgnoringCase(names[i], names[j])).toBe(false);
    }
  }
}

describe('reduceRoom properties', () => {
  it('never throws, keeps names unique, and delivers each event to exactly the right members', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const model = new RoomModel();
        let state = initialRoomState;
        ops.forEach((input, ts) => {
          const transition = reduceRoom(state, { ...input, ts } as RoomInput);
          expect(transition.deliveries.map(received).map(withSortedUsers)).toEqual(model.step(input, ts));
          state = transition.state;
          checkInvariants(state, model);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('matches every join with exactly one leave once everyone has disconnected', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const everyoneGoes: Op[] = Array.from({ length: CONNECTIONS }, (_, i) => ({ type: 'disconnect', from: i + 1, reason: 'disconnect' }));
        let state = initialRoomState;
        const events: ServerEvent[] = [];
        [...ops, ...everyoneGoes].forEach((input, ts) => {
          const transition = reduceRoom(state, { ...input, ts } as RoomInput);
          events.push(...transition.deliveries.map((d) => d.event));
          state = transition.state;
        });

        expect(state.users.size).toBe(0);
        expect(state.names.size).toBe(0);
        // Joins and leaves of each name alternate, starting with a join and ending with a leave.
        const inRoom = new Set<string>();
        for (const event of events) {
          if (event.type === 'welcome') {
            expect(inRoom.has(event.name)).toBe(false);
            inRoom.add(event.name);
          } else if (event.type === 'left') {
            expect(inRoom.has(event.name)).toBe(true);
            inRoom.delete(event.name);
          }
        }
        expect(inRoom.size).toBe(0);
        expect(events.filter((e) => e.type === 'joined')).toHaveLength(events.filter((e) => e.type === 'welcome').length);
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
      fc.property(fc.array(actorOp, { maxLength: 60 }), (ops) => {
        const connections$ = new Subject<ConnectionSource>();
        const room = createRoom(connections$, { now: () => 0 });
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
        // Each connection joins at most once at a time, and every join is followed by exactly one leave.
        const nameOf = new Map<string, ConnId>();
        for (const { to: audience, event } of deliveries) {
          if (event.type === 'welcome') {
            expect(audience.kind).toBe('one');
            expect([...nameOf.keys()].some((name) => sameIgnoringCase(name, event.name))).toBe(false);
            nameOf.set(event.name, audience.kind === 'one' ? audience.id : -1);
          } else if (event.type === 'left') {
            expect(nameOf.delete(event.name)).toBe(true);
          }
        }
        expect(nameOf.size).toBe(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
