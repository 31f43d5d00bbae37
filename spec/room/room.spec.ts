import { filter, map, Observable, queueScheduler, Subject } from 'rxjs';
import { ConnectionInput, ConnectionSource } from '../../src/room/events';
import { createRoom, INTERNAL_ERROR_MESSAGE } from '../../src/room/room';
import { reduceRoom } from '../../src/room/reducer';
import { RoomInput } from '../../src/room/events';
import {
  bye,
  conn,
  createTestScheduler,
  disconnect,
  error,
  hello,
  joined,
  left,
  message,
  quit,
  Received,
  received$,
  say,
  to,
  welcome,
} from './room-helpers';

const onlyMessages = filter((delivery: Received) => delivery.event.type === 'message');

// Each hot() stands in for one connection's input$. Diagrams are padded so that their columns line
// up: one column is one frame (1 ms) of virtual time, and `ts` values are those frame numbers.
describe('room', () => {
  it('welcomes a joiner with the user list and tells the others', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('  -a-------', { a: hello('alice') });
      const bob = hot('    ----b----', { b: hello('bob') });
      const carol = hot('  --------c', { c: hello('Carol') });
      const connections$ = cold('(ab)---c', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) });
      const expected = '   -a--(bc)(de)';

      expectObservable(received$(createRoom(connections$))).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 4)),
        d: to([3], welcome('Carol', ['alice', 'bob', 'Carol'])),
        e: to([1, 2], joined('Carol', 8)),
      });
    });
  });

  it('never dies: an input the reducer throws on is refused to its sender, and the chat goes on', () => {
    createTestScheduler().run(({ hot, cold, expectObservable, flush }) => {
      const alice = hot('-a------c', { a: hello('alice'), c: say('after') });
      const bob = hot('  --b---x--', { b: hello('bob'), x: say('boom') });
      const expected = ' -a(bc)d-e';
      const failures: Array<[unknown, RoomInput]> = [];
      // A rule with a bug: it throws on one message.
      const buggy: typeof reduceRoom = (state, input, config) => {
        if (input.type === 'say' && input.text === 'boom') throw new Error('a bug in a rule');
        return reduceRoom(state, input, config);
      };
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }), {
        reduce: buggy,
        onReducerError: (err, input) => failures.push([err, input]),
      });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([2], error('internal_error', INTERNAL_ERROR_MESSAGE)),
        e: to([1, 2], expect.objectContaining({ type: 'message', from: 'alice', text: 'after' })),
      });
      flush();
      expect(failures).toEqual([[new Error('a bug in a rule'), expect.objectContaining({ type: 'say', text: 'boom', from: 2 })]]);
    });
  });

  it('refuses a taken name and lets the same connection try again', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a------', { a: hello('alice') });
      const other = hot('---a--b-', { a: hello('alice'), b: hello('bob') });
      const expected = ' -a-b--(cd)';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, other) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], error('name_taken', 'name "alice" is taken; try another')),
        c: to([2], welcome('bob', ['alice', 'bob'])),
        d: to([1], joined('bob', 6)),
      });
    });
  });

  it('decides uniqueness case-insensitively: Alice blocks alice and ALICE', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const first = hot(' -a------', { a: hello('Alice') });
      const second = hot('---a-b--', { a: hello('alice'), b: hello('ALICE') });
      const expected = '  -a-b-c--';

      const room = createRoom(cold('(ab)', { a: conn(1, first), b: conn(2, second) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('Alice', ['Alice'])),
        b: to([2], error('name_taken', expect.stringContaining('"alice" is taken'))),
        c: to([2], error('name_taken', expect.stringContaining('"ALICE" is taken'))),
      });
    });
  });

  it('treats e + combining acute and é as the same name', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const first = hot(' -a----', { a: hello('Ren\u0065\u0301') });
      const second = hot('---a--', { a: hello('REN\u00c9') });
      const expected = '  -a-b--';

      const room = createRoom(cold('(ab)', { a: conn(1, first), b: conn(2, second) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('Ren\u00e9', ['Ren\u00e9'])),
        b: to([2], error('name_taken')),
      });
    });
  });

  it('explains an invalid name to the sender only, and lets it try again', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--------', { a: hello('alice') });
      const other = hot('---a-b-c--', { a: hello('b\u202eob'), b: hello(''), c: hello('__proto__') });
      const expected = ' -a-b-c-(de)';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, other) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        // The rejected name is quoted with its bidi override removed, so it cannot reorder the error line.
        b: to([2], error('name_invalid', expect.stringMatching(/^name "bob" is invalid: .*letters, digits/))),
        c: to([2], error('name_invalid', expect.stringContaining('empty'))),
        d: to([2], welcome('__proto__', ['__proto__', 'alice'])),
        e: to([1], joined('__proto__', 7)),
      });
    });
  });

  it('refuses a second hello from a registered connection', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-b--', { a: hello('alice'), b: hello('alice2') });
      const expected = ' -a-b--';

      const room = createRoom(cold('a', { a: conn(1, alice) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], error('already_registered', expect.stringContaining('alice'))),
      });
    });
  });

  it('broadcasts every message to everyone, the sender included, in the order the room took them', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----x--y---', { a: hello('alice'), x: say('a1'), y: say('a2') });
      const bob = hot('  --b----x----y', { b: hello('bob'), x: say('b1'), y: say('b2') });
      const carol = hot('---c----x-y--', { c: hello('carol'), x: say('c1'), y: say('c2') });
      const expected = ' ------abcde-f';
      const everyone = [1, 2, 3];

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) }));
      expectObservable(received$(room).pipe(onlyMessages)).toBe(expected, {
        a: to(everyone, message('alice', 'a1', 6, 1)),
        b: to(everyone, message('bob', 'b1', 7, 2)),
        c: to(everyone, message('carol', 'c1', 8, 3)),
        d: to(everyone, message('alice', 'a2', 9, 4)),
        e: to(everyone, message('carol', 'c2', 10, 5)),
        f: to(everyone, message('bob', 'b2', 12, 6)),
      });
    });
  });

  it('keeps the order of messages sent in the same instant by different connections', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--(xy)', { a: hello('alice'), x: say('a1'), y: say('a2') });
      const bob = hot('  --b-x---', { b: hello('bob'), x: say('b1') });
      const expected = ' ----(abc)';

      // All three inputs of frame 4 are taken whole, in order, each with its own id.
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room).pipe(onlyMessages)).toBe(expected, {
        a: to([1, 2], message('alice', 'a1', 4, 1)),
        b: to([1, 2], message('alice', 'a2', 4, 2)),
        c: to([1, 2], message('bob', 'b1', 4, 3)),
      });
    });
  });

  it('says goodbye to a quitter and tells the others it left', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      // The connection's stream ends soon after it quits, as a socket closes once the goodbye is sent:
      // that end must not announce a second leave.
      const alice = hot('-a-----q-|----', { a: hello('alice'), q: quit });
      const bob = hot('  --b---------x', { b: hello('bob'), x: say('still here') });
      const expected = ' -a(bc)-(de)-f';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], bye('Goodbye, alice!')),
        e: to([2], left('alice', 'quit', 7)),
        f: to([2], message('bob', 'still here', 12, 1)),
      });
    });
  });

  it('says goodbye to a connection that quits before choosing a name, and tells nobody else', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-----', { a: hello('alice') });
      const anon = hot(' ---q-|-', { q: quit });
      const expected = ' -a-b---';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, anon) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], bye('Goodbye!')),
      });
    });
  });

  it('announces a leave when a connection completes, and carries on for the others', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-----|---', { a: hello('alice') });
      const bob = hot('  --b------x', { b: hello('bob'), x: say('anyone?') });
      // No `|`: the room stream goes on while bob is connected.
      const expected = ' -a(bc)-d-e';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([2], left('alice', 'disconnect', 7)),
        e: to([2], message('bob', 'anyone?', 9, 1)),
      });
    });
  });

  it('announces a leave when a connection errors, and neither errors nor completes the room', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-----#---', { a: hello('alice') }, new Error('ECONNRESET'));
      const bob = hot('  --b------x', { b: hello('bob'), x: say('anyone?') });
      // No `#` and no `|`: one connection's error is nobody else's.
      const expected = ' -a(bc)-d-e';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([2], left('alice', 'error', 7)),
        e: to([2], message('bob', 'anyone?', 9, 1)),
      });
    });
  });

  it('completes only when the connection source and every connection have completed', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-------|', { a: hello('alice') });
      const bob = hot('  --b----#--', { b: hello('bob') });
      const expected = ' -a(bc)-d-|';

      const room = createRoom(cold('(ab|)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], left('bob', 'error', 7)),
      });
    });
  });

  it('makes a name free again after its user leaves', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a------|-----', { a: hello('alice') });
      const bob = hot('  --b-----------', { b: hello('bob') });
      const again = hot('-------x--y---', { x: hello('Alice'), y: hello('Alice') });
      const expected = ' -a(bc)-de-(fg)';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, again) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([3], error('name_taken')),
        e: to([2], left('alice', 'disconnect', 8)),
        f: to([3], welcome('Alice', ['Alice', 'bob'])),
        g: to([2], joined('Alice', 10)),
      });
    });
  });

  it('answers a message sent before choosing a name with an error to the sender only', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----', { a: hello('alice') });
      const anon = hot(' ---x--', { x: say('hi?') });
      const expected = ' -a-b--';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, anon) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], error('not_registered')),
      });
    });
  });

  it('announces a leave once, however many disconnects follow', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      // A connection that says why it goes (shutdown), then closes: its end adds yet another disconnect.
      const alice = hot('-a-----(sd)-|', { a: hello('alice'), s: disconnect('shutdown'), d: disconnect('disconnect') });
      const bob = hot('  --b----------', { b: hello('bob') });
      const expected = ' -a(bc)-d-----';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([2], left('alice', 'shutdown', 7)),
      });
    });
  });

  it('says nothing when a connection that never chose a name goes away', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('     -a-----', { a: hello('alice') });
      const anon = hot('      ---d-|-', { d: disconnect('disconnect') });
      const broken = hot<never>('----#--', undefined, new Error('boom'));
      const expected = '      -a-----';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, anon), c: conn(3, broken) }));
      expectObservable(received$(room)).toBe(expected, { a: to([1], welcome('alice', ['alice'])) });
    });
  });

  it('stamps events with the room clock, which is virtual time in tests', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a 998ms x 1s |', { a: hello('alice'), x: say('tick') });
      const bob = hot('  -- 1.5s b', { b: hello('bob') });
      // Every delivery, the ones to nobody included: here only the time matters. A replayed message
      // keeps the time it was sent at.
      const expected = ' -a 998ms c 501ms (dhe) 494ms f';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      const stamps$ = room.deliveries$.pipe(
        map(({ event }) => ('ts' in event ? `${event.type}@${event.ts}${'history' in event ? ' (history)' : ''}` : event.type)),
      );
      expectObservable(stamps$).toBe(expected, {
        a: 'welcome',
        c: 'message@1000',
        d: 'welcome',
        h: 'message@1000 (history)',
        e: 'joined@1502',
        f: 'left@2001',
      });
    });
  });

  it('uses the clock it is given', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a---', { a: hello('alice') });
      const bob = hot('  ---b-', { b: hello('bob') });
      const expected = ' -a-(bc)';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }), { now: () => 42 });
      expectObservable(room.deliveries$.pipe(map((d) => d.event))).toBe(expected, {
        a: welcome('alice', ['alice']),
        b: welcome('bob', ['alice', 'bob']),
        c: joined('bob', 42),
      });
    });
  });

  it('exposes each transition with the state after it', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-x-|', { a: hello('alice'), x: say('hi') });
      const expected = ' -a-b-c';

      const room = createRoom(cold('a', { a: conn(1, alice) }));
      // users | next message id | number of deliveries
      const summary$ = room.transitions$.pipe(
        map((t) => `${[...t.state.users.values()].map((u) => u.name).join(',')}|${t.state.nextMessageId}|${t.deliveries.length}`),
      );
      expectObservable(summary$).toBe(expected, { a: 'alice|1|1', b: 'alice|2|1', c: '|2|1' });
    });
  });

  it('finishes delivering one input to every subscriber before it takes an input caused by that delivery', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      // bob's "connection" answers alice's message the moment it is delivered, as a bot (or a socket
      // closing on a goodbye) would: that answer must wait until everyone has seen alice's message.
      const alice = hot('-a---x', { a: hello('alice'), x: say('ping') });
      const bob = new Subject<ConnectionInput>();
      const expected = ' -----(xy)';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      const messages$ = received$(room).pipe(onlyMessages);
      messages$.subscribe((delivery) => {
        if (delivery.event.type === 'message' && delivery.event.from === 'alice') bob.next(say('pong'));
      });
      hot('---b', { b: hello('bob') }).subscribe((input) => bob.next(input));

      const values = { x: to([1, 2], message('alice', 'ping', 5, 1)), y: to([1, 2], message('bob', 'pong', 5, 2)) };
      expectObservable(messages$).toBe(expected, values);
    });
  });

  it('has a mailbox of its own: work queued on the global queueScheduler neither delays the room nor is delayed by it', () => {
    const alice = new Subject<ConnectionInput>();
    const room = createRoom(new Observable<ConnectionSource>((subscriber) => subscriber.next(conn(1, alice))));
    const seen: string[] = [];
    const subscription = room.deliveries$.subscribe((delivery) => seen.push(delivery.event.type));
    let seenInside: string[] = [];
    // Something else in the process (a client library, a test) is running a task on the global queue.
    queueScheduler.schedule(() => {
      alice.next(hello('alice'));
      seenInside = [...seen];
    });
    subscription.unsubscribe();
    expect(seenInside).toEqual(['welcome']);
  });

  it('gives every subscriber the same deliveries, computed once', () => {
    createTestScheduler().run(({ hot, cold, expectObservable, flush }) => {
      let subscriptions = 0;
      const alice = hot('-a-x', { a: hello('alice'), x: say('hi') });
      const expected = ' -a-b';
      const connections$ = new Observable<ConnectionSource>((subscriber) => {
        subscriptions++;
        return cold('a', { a: conn(1, alice) }).subscribe(subscriber);
      });

      const room = createRoom(connections$);
      const values = { a: to([1], welcome('alice', ['alice'])), b: to([1], message('alice', 'hi', 3, 1)) };
      expectObservable(received$(room)).toBe(expected, values);
      expectObservable(received$(room)).toBe(expected, values);
      flush();
      expect(subscriptions).toBe(1);
    });
  });
});
