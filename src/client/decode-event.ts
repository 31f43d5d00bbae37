import { ByeEvent, ErrorCode, LeaveReason, ServerEvent } from '../protocol/frames';

/**
 * Runtime copies of the protocol's string unions. `satisfies Record<Union, true>` makes the compiler
 * fail here if the server grows a value the client does not know yet.
 */
const ERROR_CODES = {
  name_taken: true,
  name_invalid: true,
  already_registered: true,
  not_registered: true,
  bad_frame: true,
  bad_utf8: true,
  frame_too_large: true,
  message_too_long: true,
  unknown_type: true,
  rate_limited: true,
  register_timeout: true,
  server_full: true,
  not_chat: true,
} as const satisfies Record<ErrorCode, true>;

const LEAVE_REASONS = {
  quit: true,
  disconnect: true,
  error: true,
  shutdown: true,
  too_slow: true,
  flood: true,
  timeout: true,
} as const satisfies Record<LeaveReason, true>;

const BYE_REASONS = {
  quit: true,
  shutdown: true,
  too_slow: true,
  flood: true,
  timeout: true,
  register_timeout: true,
  server_full: true,
  not_chat: true,
} as const satisfies Record<ByeEvent['reason'], true>;

type Fields = Record<string, unknown>;

/**
 * Reads one line from the server as an event, or `null` when it is not one this client understands.
 *
 * The server is not trusted: the greeting and any other non-JSON line, JSON that is not an object,
 * unknown event types and events with missing or mistyped fields are all ignored rather than thrown,
 * so a newer or hostile server cannot crash the client. Only own properties are read. Text fields are
 * returned as received; displaying them safely is the job of `displayText`.
 */
export function decodeServerLine(line: string): ServerEvent | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const frame = value as Fields;
  const str = (field: string) => {
    const v = own(frame, field);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (field: string) => {
    const v = own(frame, field);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };

  switch (own(frame, 'type')) {
    case 'welcome': {
      const name = str('name');
      const users = own(frame, 'users');
      if (name === undefined || !Array.isArray(users) || !users.every((u): u is string => typeof u === 'string')) return null;
      return { type: 'welcome', name, users: [...users] };
    }
    case 'error': {
      const code = str('code');
      const message = str('message');
      if (code === undefined || message === undefined || !isKey(ERROR_CODES, code)) return null;
      const retryAfterMs = num('retryAfterMs');
      return retryAfterMs === undefined ? { type: 'error', code, message } : { type: 'error', code, message, retryAfterMs };
    }
    case 'joined': {
      const name = str('name');
      const ts = num('ts');
      if (name === undefined || ts === undefined) return null;
      return { type: 'joined', name, ts };
    }
    case 'left': {
      const name = str('name');
      const reason = str('reason');
      const ts = num('ts');
      if (name === undefined || ts === undefined || reason === undefined || !isKey(LEAVE_REASONS, reason)) return null;
      return { type: 'left', name, reason, ts };
    }
    case 'message': {
      const from = str('from');
      const text = str('text');
      const ts = num('ts');
      const id = num('id');
      if (from === undefined || text === undefined || ts === undefined || id === undefined) return null;
      return { type: 'message', from, text, ts, id };
    }
    case 'bye': {
      const reason = str('reason');
      const message = str('message');
      if (message === undefined || reason === undefined || !isKey(BYE_REASONS, reason)) return null;
      return { type: 'bye', reason, message };
    }
    case 'gap': {
      const missed = num('missed');
      if (missed === undefined) return null;
      return { type: 'gap', missed };
    }
    case 'ping':
      return { type: 'ping' };
    case 'pong':
      return { type: 'pong' };
    default:
      return null;
  }
}

function own(frame: Fields, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(frame, field) ? frame[field] : undefined;
}

function isKey<K extends string>(table: Record<K, true>, key: string): key is K {
  return Object.prototype.hasOwnProperty.call(table, key);
}
