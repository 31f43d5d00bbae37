import { FramerOutput, LineFramer } from '../../src/protocol/framer';

/** Runs chunks through a fresh framer, ending the stream, and returns everything it emitted. */
export function frameChunks(chunks: readonly Uint8Array[], maxFrameBytes: number, end = true): FramerOutput[] {
  const framer = new LineFramer(maxFrameBytes);
  const out: FramerOutput[] = [];
  const emit = (output: FramerOutput) => out.push(output);
  for (const chunk of chunks) framer.push(chunk, emit);
  if (end) framer.end(emit);
  return out;
}

/** Splits bytes into chunks at the given (sorted, distinct) offsets. */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** One chunk per byte, as the slowest possible peer would send them. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

export const frame = (text: string): FramerOutput => ({ kind: 'frame', text });

/** Matches a framing error by code only; the wording of the message is for humans. */
export const failure = (code: 'frame_too_large' | 'bad_utf8') => ({ kind: 'error', code, message: expect.any(String) });

export const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
