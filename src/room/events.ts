import { Observable } from 'rxjs';
import { Set as ImmutableSet } from 'immutable';
import { ClientCommand, LeaveReason, ServerEvent } from '../protocol/frames';
import { ConnId } from './state';

/**
 * The last word of a connection's input stream: it is going away. Sent by the connection when it knows
 * why (quit, timeout, too slow); added by the room when the stream just ends or errors. Idempotent.
 */
export interface DisconnectInput {
  readonly type: 'disconnect';
  readonly reason: LeaveReason;
}

/** What a connection feeds the room. */
export type ConnectionInput = ClientCommand | DisconnectInput;

/** One connection as the room sees it: an id and a stream of inputs. No socket. */
export interface ConnectionSource {
  readonly id: ConnId;
  readonly input$: Observable<ConnectionInput>;
}

/** An input as the reducer receives it: who sent it and when the room took it. */
export type RoomInput = ConnectionInput & { readonly from: ConnId; readonly ts: number };

/**
 * Who receives an event. `members` carries a room's member set (immutable, so safe to share) rather
 * than a copied list of ids, so a broadcast costs no per-recipient allocation.
 */
export type Audience =
  | { readonly kind: 'one'; readonly id: ConnId }
  | { readonly kind: 'members'; readonly members: ImmutableSet<ConnId>; readonly except?: ConnId }
  | { readonly kind: 'list'; readonly ids: readonly ConnId[] };

export interface Delivery {
  readonly to: Audience;
  readonly event: ServerEvent;
}

/** Expands an audience into connection ids. */
export function* recipients(audience: Audience): Generator<ConnId> {
  switch (audience.kind) {
    case 'one':
      yield audience.id;
      return;
    case 'list':
      yield* audience.ids;
      return;
    case 'members':
      for (const id of audience.members) {
        if (id !== audience.except) yield id;
      }
  }
}
