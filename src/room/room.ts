import { asyncScheduler, catchError, endWith, map, mergeMap, Observable, observeOn, of, queueScheduler, scan, share } from 'rxjs';
import { ConnectionSource, Delivery, RoomInput } from './events';
import { reduceRoom, Transition } from './reducer';
import { DEFAULT_ROOM_CONFIG, initialRoomState, RoomConfig, RoomState } from './state';

export interface RoomOptions {
  /**
   * The room's clock, read once per input. Defaults to the async scheduler's clock, which is
   * `Date.now()` in production and virtual time inside `TestScheduler.run`.
   */
  readonly now?: () => number;
  /** The state to start from; defaults to an empty room. */
  readonly initialState?: RoomState;
  /** History length, room limits and message of the day. */
  readonly config?: RoomConfig;
}

export interface Room {
  /** Every transition, in order: the state after the input and its deliveries. Hot and shared. */
  readonly transitions$: Observable<Transition>;
  /** Every delivery, in order. Hot and shared. */
  readonly deliveries$: Observable<Delivery>;
}

/**
 * The room actor: merges every connection's inputs into one ordered stream and folds it with the pure
 * reducer.
 *
 * - A connection that completes or errors becomes a `disconnect` input for that connection only;
 *   the shared stream never errors because of one connection.
 * - `observeOn(queueScheduler)` is the actor's mailbox: an input produced while a previous one is
 *   still being delivered (a socket that closes as it is told goodbye) waits until that delivery is
 *   finished, so every subscriber sees transitions whole and in order. When nothing is in flight,
 *   the queue scheduler runs the input at once, so the room adds no latency.
 */
export function createRoom(connections$: Observable<ConnectionSource>, options: RoomOptions = {}): Room {
  const { now = () => asyncScheduler.now(), initialState = initialRoomState, config = DEFAULT_ROOM_CONFIG } = options;

  const inputs$ = connections$.pipe(
    mergeMap(({ id, input$ }) =>
      input$.pipe(
        catchError(() => of({ type: 'disconnect', reason: 'error' } as const)),
        endWith({ type: 'disconnect', reason: 'disconnect' } as const),
        map((input): Omit<RoomInput, 'ts'> => ({ ...input, from: id })),
      ),
    ),
  );

  const transitions$ = inputs$.pipe(
    observeOn(queueScheduler),
    scan<Omit<RoomInput, 'ts'>, Transition>(
      (previous, input) => reduceRoom(previous.state, { ...input, ts: now() } as RoomInput, config),
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
