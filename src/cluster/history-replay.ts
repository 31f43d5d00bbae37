import { errorEvent, MessageEvent } from '../protocol/frames';
import { checkRoomName } from '../protocol/sanitize';
import { Transition } from '../room/reducer';
import { ConnId, RoomState } from '../room/state';
import { Logger } from '../support/logger';
import { SharedEncoding } from '../protocol/shared-encoding';

/** Where a cluster keeps each room's last messages: outside every node, so they outlive all of them. */
export interface HistoryStore {
  /** Keeps a room message. Every node calls this for every message; the store keeps each once. */
  keep(roomKey: string, message: MessageEvent): void;
  /** The last `count` messages of a room with ids below `beforeId`, oldest first. */
  recent(roomKey: string, beforeId: number, count: number): Promise<MessageEvent[]>;
}

/** A local connection, as far as history is concerned. */
export interface HistoryRecipient {
  readonly id: ConnId;
  deliver(encoding: SharedEncoding): void;
}

/** A delivery held for a connection while its history is read, and the history it asks for, if any. */
interface Pending {
  readonly encoding: SharedEncoding;
  readonly arrival: Arrival | null;
}

/** A user arrived in a room: they are owed the messages said there before `beforeId`. */
interface Arrival {
  readonly roomKey: string;
  readonly room: string;
  readonly beforeId: number;
}

/**
 * Room history for a cluster. In one process the reducer keeps each room's history in its state;
 * in a cluster it lives in Redis instead, so that it survives every node, and is read when a user
 * arrives in a room.
 *
 * Order is kept per connection: after a `welcome` or `entered` that brings a user into a room, that
 * connection's later deliveries wait until the history has been read and sent, so the history always
 * comes between the arrival and the first live event. The read asks for messages with ids below the
 * room's next id at the arrival, so a message is either history or live, never both and never
 * neither. The wait is bounded by the Redis command timeout.
 */
export class HistoryReplay {
  private readonly waiting = new Map<ConnId, Pending[]>();

  constructor(
    private readonly store: HistoryStore,
    private readonly length: number,
    private readonly log: Logger,
  ) {}

  /** Stores every room message of a transition. */
  record(transition: Transition): void {
    if (this.length === 0) return;
    for (const { to, event } of transition.deliveries) {
      if (event.type === 'message' && to.kind === 'members') this.store.keep(roomKey(event.room), event);
    }
  }

  /** Delivers to a local connection, with a room's history after each arrival in it. */
  deliver(recipient: HistoryRecipient, encoding: SharedEncoding, before: RoomState, after: RoomState): void {
    const arrival = this.length === 0 ? null : arrivalOf(recipient.id, encoding, before, after);
    // Once per recipient of every message: the usual case (nobody waiting, no arrival) allocates nothing.
    const waiting = this.waiting.size === 0 ? undefined : this.waiting.get(recipient.id);
    if (waiting) waiting.push({ encoding, arrival });
    else if (arrival === null) recipient.deliver(encoding);
    else this.send(recipient, [{ encoding, arrival }]);
  }

  /** Sends in order, until an arrival whose history must be read first; the rest wait for it. */
  private send(recipient: HistoryRecipient, queue: Pending[]): void {
    for (let i = 0; i < queue.length; i++) {
      const { encoding, arrival } = queue[i];
      recipient.deliver(encoding);
      if (arrival) {
        const rest = queue.slice(i + 1);
        this.waiting.set(recipient.id, rest);
        void this.replay(recipient, arrival).finally(() => {
          this.waiting.delete(recipient.id);
          this.send(recipient, rest);
        });
        return;
      }
    }
  }

  private async replay(recipient: HistoryRecipient, { roomKey, room, beforeId }: Arrival): Promise<void> {
    try {
      const messages = await this.store.recent(roomKey, beforeId, this.length);
      for (const message of messages) recipient.deliver(new SharedEncoding({ ...message, room, history: true }));
    } catch (err) {
      this.log.warn(`could not read the history of ${room}: ${(err as Error).message}`);
      recipient.deliver(new SharedEncoding(errorEvent('unavailable', `the history of ${room} could not be read`)));
    }
  }
}

/** Whether a delivery brings its recipient into a room they were not in before. */
function arrivalOf(id: ConnId, { event }: SharedEncoding, before: RoomState, after: RoomState): Arrival | null {
  if (event.type !== 'welcome' && event.type !== 'entered') return null;
  const key = roomKey(event.room);
  // `entered` also answers a join of a room the user is already in (a switch): no history then.
  if (before.users.get(id)?.rooms.has(key)) return null;
  return { roomKey: key, room: event.room, beforeId: after.nextMessageId };
}

function roomKey(room: string): string {
  const check = checkRoomName(room);
  return check.ok ? check.key : room.toLowerCase();
}
