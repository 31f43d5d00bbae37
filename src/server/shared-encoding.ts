import { ServerEvent } from '../protocol/frames';
import { encodeJsonLine } from '../protocol/json-codec';
import { encodeTextLine } from '../protocol/text-codec';

export type WireMode = 'text' | 'json';

/**
 * One event's bytes, encoded at most once per wire mode however many recipients it has: a broadcast
 * to a thousand users serializes the event twice at most, and every socket writes the same Buffer.
 */
export class SharedEncoding {
  private text?: Buffer;
  private json?: Buffer;

  constructor(readonly event: ServerEvent) {}

  bytesFor(mode: WireMode): Buffer {
    if (mode === 'json') return (this.json ??= Buffer.from(encodeJsonLine(this.event)));
    return (this.text ??= Buffer.from(encodeTextLine(this.event)));
  }
}
