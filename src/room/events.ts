import { Map as ImmutableMap } from 'immutable';
import { ClientCommand, LeaveReason, ServerEvent } from '../protocol/frames';
import { ConnId, User } from './state';

/**
 * The last word of a connection's input stream: it is going away. Sent by the connection when it knows
 * why (quit, shutdown); added by the room when the stream just ends or errors. Idempotent.
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
  readonly input$: import('rxjs').Observable<ConnectionInput>;
}

/** An input as the reducer receives it: who sent it and when the room took it. */
export type RoomInput = ConnectionInput & { readonly from: ConnId; readonly ts: number };

/**
 * Who receives an event. `everyone` carries the user map it was computed from (immutable, so safe to
 * share) rather than a copied list of ids, so a broadcast costs no per-recipient allocation.
 */
export type Audience =
  | { readonly kind: 'one'; readonly id: ConnId }
  | { readonly kind: 'everyone'; readonly users: ImmutableMap<ConnId, User>; readonly except?: ConnId };

export interface Delivery {
  readonly to: Audience;
  readonly event: ServerEvent;
}

/** Expands an audience into connection ids, in the room's order. */
export function* recipients(audience: Audience): Generator<ConnId> {
  if (audience.kind === 'one') {
    yield audience.id;
    return;
  }
  for (const id of audience.users.keys()) {
    if (id !== audience.except) yield id;
  }
}
