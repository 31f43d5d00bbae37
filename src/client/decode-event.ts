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
  unknown_command: true,
  bad_command: true,
  room_invalid: true,
  not_in_room: true,
  too_many_rooms: true,
  no_such_user: true,
  no_such_room: true,
  rate_limited: true,
  unavailable: true,
  internal_error: true,
} as const satisfies Record<ErrorCode, true>;

const LEAVE_REASONS = {
  part: true,
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
  not_chat: true,
  unavailable: true,
} as const satisfies Record<ByeEvent['reason'], true>;

type Fields = Record<string, unknown>;

/**
 * Reads one line from the server as an event, or `null` when it is not one this client understands.
 *
 * The server is not trusted: the greeting and any other non-JSON line, JSON that is not an object,
 * unknown event types and events with missing or mistyped fields are all ignored rather than thrown,
 * so a newer or hostile server cannot crash the client. Only own properties are read, and only the
 * fields of the event's type are kept. Text fields are returned as received; displaying them safely
 * is the job of `displayText`.
 */
export function decodeServerLine(line: string): ServerEvent | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const read = reader(value);
  try {
    return decode(read);
  } catch (err) {
    if (err === MISSING) return null;
    throw err;
  }
}

/** Thrown by a field reader when a required field is missing or mistyped; caught just above. */
const MISSING = Symbol('missing field');

interface Reader {
  type(): unknown;
  str(field: string): string;
  num(field: string): number;
  /** A non-negative whole number. */
  count(field: string): number;
  bool(field: string): boolean;
  strings(field: string): string[];
  /** `true` when the field is `true`; absent otherwise (any other value counts as absent). */
  flag(field: string): true | undefined;
  optionalStr(field: string): string | undefined;
  optionalNum(field: string): number | undefined;
  nullableStr(field: string): string | null;
  oneOf<K extends string>(field: string, table: Record<K, true>): K;
  objects(field: string): Reader[];
}

function reader(frame: Fields): Reader {
  const own = (field: string): unknown => (Object.prototype.hasOwnProperty.call(frame, field) ? frame[field] : undefined);
  /** `value()` once `ok` holds: it may only be computed from a field of the right type. */
  const need = <T>(ok: boolean, value: () => T): T => {
    if (!ok) throw MISSING;
    return value();
  };
  const r: Reader = {
    type: () => own('type'),
    str: (field) => {
      const v = own(field);
      return need(typeof v === 'string', () => v as string);
    },
    num: (field) => {
      const v = own(field);
      return need(typeof v === 'number' && Number.isFinite(v), () => v as number);
    },
    count: (field) => {
      const v = r.num(field);
      return need(Number.isInteger(v) && v >= 0, () => v);
    },
    bool: (field) => {
      const v = own(field);
      return need(typeof v === 'boolean', () => v as boolean);
    },
    strings: (field) => {
      const v = own(field);
      return need(Array.isArray(v) && v.every((item) => typeof item === 'string'), () => [...(v as string[])]);
    },
    flag: (field) => (own(field) === true ? true : undefined),
    optionalStr: (field) => (own(field) === undefined ? undefined : r.str(field)),
    optionalNum: (field) => (own(field) === undefined ? undefined : r.num(field)),
    nullableStr: (field) => (own(field) === null ? null : r.str(field)),
    oneOf: <K extends string>(field: string, table: Record<K, true>): K => {
      const v = r.str(field);
      return need(Object.prototype.hasOwnProperty.call(table, v), () => v as K);
    },
    objects: (field) => {
      const v = own(field);
      return need(Array.isArray(v) && v.every(isObject), () => (v as Fields[]).map(reader));
    },
  };
  return r;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional fields are only set when present, so decoded events compare equal to the server's. */
function withOptional<T extends object>(event: T, optional: Record<string, unknown>): T {
  const result = { ...event } as Record<string, unknown>;
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) result[key] = value;
  return result as T;
}

function decode(r: Reader): ServerEvent | null {
  switch (r.type()) {
    case 'welcome':
      return withOptional(
        { type: 'welcome' as const, name: r.str('name'), room: r.str('room'), users: r.strings('users'), count: r.count('count') },
        { motd: r.optionalStr('motd') },
      );
    case 'error':
      return withOptional(
        { type: 'error' as const, code: r.oneOf('code', ERROR_CODES), message: r.str('message') },
        { retryAfterMs: r.optionalNum('retryAfterMs') },
      );
    case 'joined':
      return { type: 'joined', room: r.str('room'), name: r.str('name'), ts: r.num('ts') };
    case 'left':
      return withOptional(
        { type: 'left' as const, name: r.str('name'), reason: r.oneOf('reason', LEAVE_REASONS), ts: r.num('ts') },
        { room: r.optionalStr('room') },
      );
    case 'message':
      return withOptional(
        { type: 'message' as const, room: r.str('room'), from: r.str('from'), text: r.str('text'), ts: r.num('ts'), id: r.num('id') },
        { action: r.flag('action'), history: r.flag('history') },
      );
    case 'private':
      return { type: 'private', from: r.str('from'), to: r.str('to'), text: r.str('text'), ts: r.num('ts'), id: r.num('id') };
    case 'nick':
      return { type: 'nick', old: r.str('old'), name: r.str('name'), ts: r.num('ts') };
    case 'entered':
      return { type: 'entered', room: r.str('room'), users: r.strings('users'), count: r.count('count') };
    case 'parted':
      return { type: 'parted', room: r.str('room'), current: r.nullableStr('current') };
    case 'rooms':
      return { type: 'rooms', rooms: r.objects('rooms').map((room) => ({ room: room.str('room'), users: room.count('users') })) };
    case 'names':
      return { type: 'names', room: r.str('room'), users: r.strings('users') };
    case 'help':
      return {
        type: 'help',
        commands: r.objects('commands').map((c) => ({ command: c.str('command'), args: c.str('args'), help: c.str('help') })),
      };
    case 'bye':
      return { type: 'bye', reason: r.oneOf('reason', BYE_REASONS), message: r.str('message') };
    case 'gap':
      return { type: 'gap', missed: r.count('missed') };
    case 'status':
      return { type: 'status', degraded: r.bool('degraded'), message: r.str('message') };
    case 'ping':
      return { type: 'ping' };
    case 'pong':
      return { type: 'pong' };
    default:
      return null;
  }
}
