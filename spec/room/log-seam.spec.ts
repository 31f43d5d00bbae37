import { bufferCount, concat, merge, mergeMap, Observable, of } from 'rxjs';
import { ConnectionSource, RoomInput } from '../../src/room/events';
import { reduceRoom } from '../../src/room/reducer';
import { createRoom, InputLog, LogEntry } from '../../src/room/room';
import { initialRoomState, RoomState } from '../../src/room/state';
import { conn, createTestScheduler, entered, error, hello, history, join, joined, message, received$, say, to, welcome } from './room-helpers';

/** A connection on another node of a cluster: it reaches the room only through the log. */
const REMOTE = 2 ** 32 + 1;

/** The state a node of a cluster could start from: somebody elsewhere already took "alice". */
function stateWithRemoteAlice(): RoomState {
  let state = reduceRoom(initialRoomState, { type: 'hello', name: 'alice', from: REMOTE, ts: 0 }).state;
  state = reduceRoom(state, { type: 'join', room: '#dev', from: REMOTE, ts: 0 }).state;
  return reduceRoom(state, { type: 'say', text: 'earlier', room: '#dev', from: REMOTE, ts: 0 }).state;
}

/**
 * The room is the fold of whatever log it is given: these specs give it logs that differ from the
 * local inputs, and check that the deliveries follow the log. Each hot() stands in for one
 * connection's input$; `ts` values are frame numbers.
 */
describe('room over an input log', () => {
  it('starts from the state a reset entry carries, and refuses a name taken in it', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const startFromSnapshot: InputLog = (local$) => concat(of<LogEntry>({ type: 'reset', state: stateWithRemoteAlice() }), local$);
      const local = hot(' -a-b---c----', { a: hello('alice'), b: hello('bob'), c: join('#dev') });
      const expected = '  -a-(bc)(def)';

      const room = createRoom(cold('a', { a: conn(1, local) }), { log: startFromSnapshot });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], error('name_taken', 'name "alice" is taken; try another')),
        b: to([1], welcome('bob', ['alice', 'bob'])),
        c: to([REMOTE], joined('bob', 3)),
        d: to([1], entered('#dev', ['alice', 'bob'])),
        // The reset state's history is the room's history.
        e: to([1], history(message('alice', 'earlier', 0, 1, '#dev'))),
        f: to([REMOTE], joined('bob', 7, '#dev')),
      });
    });
  });

  it('continues message ids from the reset state', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const startFromSnapshot: InputLog = (local$) => concat(of<LogEntry>({ type: 'reset', state: stateWithRemoteAlice() }), local$);
      const local = hot(' -a-b-', { a: hello('bob'), b: say('hi') });
      const expected = '  ---a-';

      const room = createRoom(cold('a', { a: conn(1, local) }), { log: startFromSnapshot });
      expectObservable(received$(room).pipe(mergeMap((d) => (d.event.type === 'message' ? [d] : [])))).toBe(expected, {
        a: to([1, REMOTE], message('bob', 'hi', 3, 2)),
      });
    });
  });

  it('forgets everything at a reset in the middle of the log, and delivers nothing for it', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const first = hot('  -a--------', { a: hello('alice') });
      const second = hot(' ---a---b--', { a: hello('alice'), b: hello('alice') });
      const resets = hot(' -----r----', { r: { type: 'reset', state: initialRoomState } as LogEntry });
      const withReset: InputLog = (local$) => merge(local$, resets);
      const expected = '   -a-b---c--';

      const room = createRoom(cold('(ab)', { a: conn(1, first), b: conn(2, second) }), { log: withReset });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], error('name_taken')),
        // After the reset nobody is registered: the name is free again, and alice is alone.
        c: to([2], welcome('alice', ['alice'])),
      });
    });
  });

  it('folds the log in its own order, not the order inputs arrived here', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      // The shared log put the second connection's hello first, as Redis may when two nodes append at once.
      const swapPairs: InputLog = (local$) => local$.pipe(bufferCount(2), mergeMap((pair) => [...pair].reverse()));
      const first = hot('  -a------', { a: hello('alice') });
      const second = hot(' ---a----', { a: hello('alice') });
      const expected = '   ---(ab)-';

      const room = createRoom(cold('(ab)', { a: conn(1, first), b: conn(2, second) }), { log: swapPairs });
      expectObservable(received$(room)).toBe(expected, {
        a: to([2], welcome('alice', ['alice'])),
        b: to([1], error('name_taken')),
      });
    });
  });

  it('folds every entry of the log, even one that repeats an input', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const twice: InputLog = (local$) => local$.pipe(mergeMap((input) => [input, input]));
      const local = hot(' -a---b----', { a: hello('alice'), b: say('hi') });
      const expected = '  -(ab)(cd)';

      const room = createRoom(cold('a', { a: conn(1, local) }), { log: twice });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], error('already_registered')),
        c: to([1], message('alice', 'hi', 5, 1)),
        d: to([1], message('alice', 'hi', 5, 2)),
      });
    });
  });

  it('delivers to local connections what other nodes put in the log', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const fromOtherNodes = hot<LogEntry>(' ---r---s-', {
        r: { type: 'hello', name: 'bob', from: REMOTE, ts: 3 },
        s: { type: 'say', text: 'from afar', from: REMOTE, ts: 7 },
      });
      const cluster: InputLog = (local$: Observable<RoomInput>) => merge(local$, fromOtherNodes);
      const local = hot('         -a-------', { a: hello('alice') });
      const expected = '          -a-(bc)d-';

      const room = createRoom(cold<ConnectionSource>('a', { a: conn(1, local) }), { log: cluster });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([REMOTE], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 3)),
        d: to([1, REMOTE], message('bob', 'from afar', 7, 1)),
      });
    });
  });

  it('delivers nothing for a local input the log leaves out', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      // An append that failed never reaches the log: the room must not act on it.
      const dropSays: InputLog = (local$) => local$.pipe(mergeMap((input) => (input.type === 'say' ? [] : [input])));
      const local = hot(' -a-b-', { a: hello('alice'), b: say('lost') });
      const expected = '  -a---';

      const room = createRoom(cold('a', { a: conn(1, local) }), { log: dropSays });
      expectObservable(received$(room)).toBe(expected, { a: to([1], welcome('alice', ['alice'])) });
    });
  });
});
