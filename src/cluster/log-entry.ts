import { LeaveReason } from '../protocol/frames';
import { decodeJsonValue } from '../protocol/json-codec';
import { isLeaveReason } from '../protocol/text-codec';
import { RoomInput } from '../room/events';

/** An input read back from the shared log, with the node that wrote it. */
export interface LoggedInput {
  readonly origin: number;
  readonly input: RoomInput;
}

/**
 * The fields of a log entry (`XADD … n <node> f <from> t <ts> c <command>`): the command is stored as
 * the JSON frame a client would send, so reading it back goes through the same schema check as a
 * client's frame.
 */
export function encodeLogEntry(input: RoomInput, origin: number): string[] {
  const { from, ts, ...command } = input;
  return ['n', String(origin), 'f', String(from), 't', String(ts), 'c', JSON.stringify(command)];
}

/**
 * Reads a log entry back, or says why it cannot. Anything may be in Redis (an older version, a
 * person with `redis-cli`), so nothing is trusted: a bad entry is skipped by every node alike, which
 * keeps their states the same.
 *
 * Text is not checked against this node's `--max-message-length`: the node that took the message did
 * that, and nodes with different limits must still fold the log into the same state.
 */
export function decodeLogEntry(fields: readonly string[]): LoggedInput | { readonly error: string } {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i], fields[i + 1]);
  const origin = wholeNumber(values.get('n'));
  const from = wholeNumber(values.get('f'));
  const ts = wholeNumber(values.get('t'));
  const command = values.get('c');
  // Connection ids start at 1; `Number('')` would read a missing id as 0.
  if (origin === null || from === null || from === 0 || ts === null || command === undefined) {
    return { error: 'missing or malformed n/f/t/c fields' };
  }
  let value: unknown;
  try {
    value = JSON.parse(command);
  } catch {
    return { error: `not a command: ${command.slice(0, 80)}` };
  }
  const disconnect = decodeDisconnect(value);
  if (disconnect) return { origin, input: { type: 'disconnect', reason: disconnect, from, ts } };
  const decoded = decodeJsonValue(value, Number.POSITIVE_INFINITY);
  if (decoded === null || decoded.type === 'error' || decoded.type === 'ping' || decoded.type === 'pong') {
    return { error: `not a command: ${command.slice(0, 80)}` };
  }
  return { origin, input: { ...decoded, from, ts } };
}

/** A `disconnect` is not a client frame, so the command schema does not know it. */
function decodeDisconnect(value: unknown): LeaveReason | null {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'type') || (value as { type?: unknown }).type !== 'disconnect') return null;
  const reason = Object.hasOwn(value, 'reason') ? (value as { reason?: unknown }).reason : undefined;
  return isLeaveReason(reason) ? reason : null;
}

/** A non-negative safe integer written in digits, or null. */
function wholeNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
