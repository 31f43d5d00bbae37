import { asyncScheduler, catchError, endWith, map, mergeMap, Observable, observeOn, of, scan, share } from 'rxjs';
// Not re-exported by rxjs' index: only the shared `queueScheduler` instance is, and the mailbox needs its own.
import { QueueAction } from 'rxjs/internal/scheduler/QueueAction';
import { QueueScheduler } from 'rxjs/internal/scheduler/QueueScheduler';
import { errorEvent } from '../protocol/frames';
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
  /** The transition function; `reduceRoom` unless a test needs another. */
  readonly reduce?: (state: RoomState, input: RoomInput, config: RoomConfig) => Transition;
  /**
   * Told when the reducer throws on an input. The room does not stop: the state stays as it was, the
   * sender is told the command failed, and the next input is folded as usual.
   */
  readonly onReducerError?: (err: unknown, input: RoomInput) => void;
}

/** What the sender of an input the reducer threw on is told. */
export const INTERNAL_ERROR_MESSAGE = 'the server could not carry that out (an internal error, logged); nothing changed';

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
 * - `observeOn(mailbox)` is the actor's mailbox, a queue scheduler of the room's own: an input produced
 *   while a previous one is still being delivered (a socket that closes as it is told goodbye) waits
 *   until that delivery is finished, so every subscriber sees transitions whole and in order. When
 *   nothing is in flight, the queue runs the input at once, so the room adds no latency. It is not the
 *   global `queueScheduler`: work that anything else queues there (a client in the same process, a
 *   test) must neither wait behind the room nor make the room wait behind it.
 */
export function createRoom(connections$: Observable<ConnectionSource>, options: RoomOptions = {}): Room {
  const {
    now = () => asyncScheduler.now(),
    initialState = initialRoomState,
    config = DEFAULT_ROOM_CONFIG,
    log = inProcessLog,
    reduce = reduceRoom,
    onReducerError = () => {},
  } = options;

  /**
   * One input, folded so that a bug in one rule cannot stop the chat: a throw would error the shared
   * stream and end every subscription (and, in a cluster, every node would meet the same entry again on
   * replay). A failed `disconnect` has nobody left to tell; it is only reported.
   */
  const foldSafely = (state: RoomState, input: RoomInput): Transition => {
    try {
      return reduce(state, input, config);
    } catch (err) {
      onReducerError(err, input);
      const toSender: Delivery[] = input.type === 'disconnect' ? [] : [{ to: { kind: 'one', id: input.from }, event: errorEvent('internal_error', INTERNAL_ERROR_MESSAGE) }];
      return { state, deliveries: toSender };
    }
  };

  const local$ = connections$.pipe(
    mergeMap(({ id, input$ }) =>
      input$.pipe(
        catchError(() => of({ type: 'disconnect', reason: 'error' } as const)),
        endWith({ type: 'disconnect', reason: 'disconnect' } as const),
        map((input) => ({ ...input, from: id, ts: now() }) as RoomInput),
      ),
    ),
  );

  const mailbox = new QueueScheduler(QueueAction);
  const transitions$ = log(local$).pipe(
    observeOn(mailbox),
    scan<LogEntry, Transition>(
      (previous, entry) => (entry.type === 'reset' ? { state: entry.state, deliveries: [] } : foldSafely(previous.state, entry)),
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
