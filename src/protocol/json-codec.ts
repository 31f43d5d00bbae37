import { buildCommand, commandByType, FieldType } from './commands';
import { ClientCommand, ErrorEvent, errorEvent, ServerEvent, TransportFrame } from './frames';

/** The connection-level frames, which have no fields and never reach the room. */
const TRANSPORT_FRAMES: ReadonlySet<string> = new Set(['ping', 'pong']);

/**
 * Decodes one JSON-mode frame into a command, a transport frame, or an error event to send back.
 * Every frame is checked against the command registry's schema before anything else reads it. Only
 * own properties are read, so keys such as `__proto__` or `constructor` are ordinary data.
 */
export function decodeJsonFrame(
  line: string,
  maxMessageLength: number,
): ClientCommand | TransportFrame | ErrorEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return errorEvent('bad_frame', 'frame is not valid JSON');
  }
  return decodeJsonValue(value, maxMessageLength);
}

/** `decodeJsonFrame` for a frame already parsed: the schema check alone. */
export function decodeJsonValue(value: unknown, maxMessageLength: number): ClientCommand | TransportFrame | ErrorEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return errorEvent('bad_frame', 'frame must be a JSON object with a "type"');
  }
  const frame = value as Record<string, unknown>;
  const type = ownField(frame, 'type');
  if (typeof type !== 'string') return errorEvent('bad_frame', 'frame must have a string "type"');
  if (TRANSPORT_FRAMES.has(type)) return { type } as TransportFrame;
  const spec = commandByType(type);
  if (!spec) return errorEvent('unknown_type', `unknown frame type ${JSON.stringify(type.slice(0, 40))}`);
  const fields: Record<string, string | undefined> = {};
  for (const [field, fieldType] of Object.entries(spec.fields) as Array<[string, FieldType]>) {
    const fieldValue = ownField(frame, field);
    const optional = fieldType === 'string?';
    if (fieldValue === undefined && optional) continue;
    if (typeof fieldValue !== 'string') {
      return errorEvent('bad_frame', `"${type}" needs a string field "${field}"${optional ? ' (or none)' : ''}`);
    }
    fields[field] = fieldValue;
  }
  // Only blank text builds nothing; in JSON mode that is a mistake worth telling the program about.
  return buildCommand(spec, fields, maxMessageLength) ?? errorEvent('bad_frame', `"${type}" needs non-blank "text"`);
}

function ownField(frame: Record<string, unknown>, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(frame, field) ? frame[field] : undefined;
}

/** One JSON line. All text in events is already clean, and JSON escapes any newline left. */
export function encodeJsonLine(event: ServerEvent): string {
  return `${JSON.stringify(event)}\n`;
}
