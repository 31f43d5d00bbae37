import { asyncScheduler, catchError, endWith, map, mergeMap, Observable, observeOn, of, queueScheduler, scan, share } from 'rxjs';
import { ConnectionSource, Delivery, RoomInput } from './events';
import { reduceRoom, Transition } from './reducer';
import { DEFAULT_ROOM_CONFIG, initialRoomState, RoomConfig, RoomState } from './state';

/**
 * Replaces the room's whole state: how a node of a cluster starts from the shared snapshot, and how it
 * starts again when the shared log can no longer be followed. Delivers nothing.
 */
export interface StateReset {
  readonly type: 'reset';
  readonly state: RoomState;
}

/** One entry of the chat's ordered log. */
export type LogEntry = RoomInput | StateReset;

/**
 * Where the room's ordered log comes from: given this process's inputs, in the order they arrived,
 * the log of the whole chat. This is the one seam between a single process and a cluster.
 */
export type InputLog = (local$: Observable<RoomInput>) => Observable<LogEntry>;

/** A single process: its own inputs, in arrival order, are the whole log. */
export const inProcessLog: InputLog = (local$) => local$;

export interface RoomOptions {
  /**
   * The room's clock, read once per input as it arrives. Defaults to the async scheduler's clock,
   * which is `Date.now()` in production and virtual time inside `TestScheduler.run`.
   */
  readonly now?: () => number;
  /** The state to start from; defaults to an empty room. */
  readonly initialState?: RoomState;
  /** History length, room limits and message of the day. */
  readonly config?: RoomConfig;
  /** Where the ordered log comes from; defaults to this process's inputs (`inProcessLog`). */
  readonly log?: InputLog;
}

export interface Room {
  /** Every transition, in order: the state after the input and its deliveries. Hot and shared. */
  readonly transitions$: Observable<Transition>;
  /** Every delivery, in order. Hot and shared. */
  readonly deliveries$: Observable<Delivery>;
}

/**
 * The room actor: merges every connection's inputs into one ordered log and folds it with the pure
 * reducer.
 *
 * - A connection that completes or errors becomes a `disconnect` input for that connection only;
 *   the shared stream never errors because of one connection.
 * - Each input is stamped with the time it arrived, so that every process folding the same log (a
 *   cluster) computes the same state.
 * - `observeOn(queueScheduler)` is the actor's mailbox: an input produced while a previous one is
 *   still being delivered (a socket that closes as it is told goodbye) waits until that delivery is
 *   finished, so every subscriber sees transitions whole and in order. When nothing is in flight,
 *   the queue scheduler runs the input at once, so the room adds no latency.
 */
export function createRoom(connections$: Observable<ConnectionSource>, options: RoomOptions = {}): Room {
  const { now = () => asyncScheduler.now(), initialState = initialRoomState, config = DEFAULT_ROOM_CONFIG, log = inProcessLog } = options;

  const local$ = connections$.pipe(
    mergeMap(({ id, input$ }) =>
      input$.pipe(
        catchError(() => of({ type: 'disconnect', reason: 'error' } as const)),
        endWith({ type: 'disconnect', reason: 'disconnect' } as const),
        map((input) => ({ ...input, from: id, ts: now() }) as RoomInput),
      ),
    ),
  );

  const transitions$ = log(local$).pipe(
    observeOn(queueScheduler),
    scan<LogEntry, Transition>(
      (previous, entry) => (entry.type === 'reset' ? { state: entry.state, deliveries: [] } : reduceRoom(previous.state, entry, config)),
      { state: initialState, deliveries: [] },
    ),
    share(),
  );

  const deliveries$ = transitions$.pipe(
    mergeMap((transition) => transition.deliveries),
    share(),
  );

  return { transitions$, deliveries$ };
}
