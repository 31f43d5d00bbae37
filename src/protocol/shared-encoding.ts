import { ServerEvent } from './frames';
import { encodeJsonLine } from './json-codec';
import { encodeTextLine } from './text-codec';

export type WireMode = 'text' | 'json';

/**
 * One event's bytes, encoded at most once per variant however many recipients it has: a broadcast to
 * a thousand users serializes the event at most three times (JSON; text as seen from the message's
 * room; text as seen from another room), and every socket writes the same Buffer.
 */
export class SharedEncoding {
  private json?: Buffer;
  /** Text as a user whose current room is the event's room sees it (`alice: hi`). */
  private textHere?: Buffer;
  /** Text as everybody else sees it (`[#dev] alice: hi`, and every event without a room). */
  private text?: Buffer;

  constructor(readonly event: ServerEvent) {}

  bytesFor(mode: WireMode, currentRoom: string | null): Buffer {
    if (mode === 'json') return (this.json ??= Buffer.from(encodeJsonLine(this.event)));
    if (this.event.type === 'message' && this.event.room === currentRoom) {
      return (this.textHere ??= Buffer.from(encodeTextLine(this.event, currentRoom)));
    }
    return (this.text ??= Buffer.from(encodeTextLine(this.event, null)));
  }
}
