import { ClientCommand, ErrorEvent, errorEvent, ServerEvent, TransportFrame } from './frames';
import { sayCommand } from './say';

/**
 * The schema of client frames: the fields each type requires, and their types. Every frame is checked
 * against it before anything else reads it. Extra fields are ignored.
 */
const CLIENT_FRAME_FIELDS = {
  hello: { name: 'string' },
  say: { text: 'string' },
  quit: {},
  ping: {},
  pong: {},
} as const satisfies Record<ClientCommand['type'] | TransportFrame['type'], Record<string, 'string'>>;

type ClientFrameType = keyof typeof CLIENT_FRAME_FIELDS;

function isClientFrameType(type: string): type is ClientFrameType {
  return Object.prototype.hasOwnProperty.call(CLIENT_FRAME_FIELDS, type);
}

/**
 * Decodes one JSON-mode frame into a command, or an error event to send back. Only own properties are
 * read, so keys such as `__proto__` or `constructor` are ordinary data. `null` means "nothing to do".
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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return errorEvent('bad_frame', 'frame must be a JSON object with a "type"');
  }
  const frame = value as Record<string, unknown>;
  const type = ownField(frame, 'type');
  if (typeof type !== 'string') return errorEvent('bad_frame', 'frame must have a string "type"');
  if (!isClientFrameType(type)) {
    return errorEvent('unknown_type', `unknown frame type ${JSON.stringify(type.slice(0, 40))}`);
  }
  const fields: Record<string, string> = CLIENT_FRAME_FIELDS[type];
  for (const [field, fieldType] of Object.entries(fields)) {
    if (typeof ownField(frame, field) !== fieldType) {
      return errorEvent('bad_frame', `"${type}" needs a ${fieldType} field "${field}"`);
    }
  }
  switch (type) {
    case 'hello':
      return { type: 'hello', name: ownField(frame, 'name') as string };
    case 'say':
      return sayCommand(ownField(frame, 'text') as string, maxMessageLength) ?? errorEvent('bad_frame', '"say" needs non-blank "text"');
    case 'quit':
    case 'ping':
    case 'pong':
      return { type };
  }
}

function ownField(frame: Record<string, unknown>, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(frame, field) ? frame[field] : undefined;
}

/** One JSON line. All text in events is already clean, and JSON escapes any newline left. */
export function encodeJsonLine(event: ServerEvent): string {
  return `${JSON.stringify(event)}\n`;
}
