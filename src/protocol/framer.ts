import { Observable, OperatorFunction } from 'rxjs';

/** One complete line, decoded, without its `\n` or `\r\n`. */
export interface Frame {
  readonly kind: 'frame';
  readonly text: string;
}

/** A line that could not become a frame. The framer carries on with the next line. */
export interface FrameError {
  readonly kind: 'error';
  readonly code: 'frame_too_large' | 'bad_utf8';
  readonly message: string;
}

export type FramerOutput = Frame | FrameError;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into newline-delimited UTF-8 frames.
 *
 * A pure state machine: it only sees bytes and hands back frames, so it is tested without sockets.
 * Splitting happens on the `\n` byte before decoding; UTF-8 never uses 0x0A inside a multi-byte
 * character, so a character split across chunks is simply joined again before it is decoded.
 *
 * The size limit is enforced while buffering: as soon as the bytes held for the current line pass
 * the limit, the framer reports `frame_too_large`, drops what it held and skips the rest of that line,
 * so a peer that sends megabytes without a newline costs at most `maxFrameBytes` of memory.
 */
export class LineFramer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** True while skipping the remainder of an oversized line, up to its newline. */
  private discarding = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds one chunk; calls `emit` for each frame or error it completes, in order. */
  push(chunk: Uint8Array, emit: (output: FramerOutput) => void): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.hold(bytes.subarray(start), emit);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else {
        this.hold(bytes.subarray(start, newline), emit, true);
      }
      start = newline + 1;
    }
  }

  /** The peer finished sending: a last line without a newline still counts as a frame. */
  end(emit: (output: FramerOutput) => void): void {
    // Through `hold`, so the last line gets the same size check as a terminated one: an open line may
    // hold one byte past the limit (room for the `\r` of a `\r\n`), which is only allowed if it is a `\r`.
    if (!this.discarding && this.heldBytes > 0) this.hold(Buffer.alloc(0), emit, true);
    this.reset();
  }

  private hold(piece: Buffer, emit: (output: FramerOutput) => void, lineEnds = false): void {
    if (this.discarding) return;
    const total = this.heldBytes + piece.length;
    // A line still open may end in the `\r` of a `\r\n`, so it may hold one byte past the limit.
    const allowance = lineEnds ? this.maxFrameBytes + (this.endsWithCarriageReturn(piece) ? 1 : 0) : this.maxFrameBytes + 1;
    if (total > allowance) {
      this.reset();
      this.discarding = !lineEnds;
      emit({
        kind: 'error',
        code: 'frame_too_large',
        message: `line too long: the limit is ${this.maxFrameBytes} bytes; it was discarded`,
      });
      return;
    }
    if (piece.length > 0) {
      // An open line is copied: the socket may reuse its chunk's memory once we return.
      this.held.push(lineEnds ? piece : Buffer.from(piece));
      this.heldBytes = total;
    }
    if (lineEnds) this.completeLine(emit);
  }

  private endsWithCarriageReturn(piece: Buffer): boolean {
    if (piece.length > 0) return piece[piece.length - 1] === CARRIAGE_RETURN;
    const last = this.held[this.held.length - 1];
    return last !== undefined && last[last.length - 1] === CARRIAGE_RETURN;
  }

  private completeLine(emit: (output: FramerOutput) => void): void {
    let line = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldBytes);
    this.reset();
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
    let text: string;
    try {
      text = this.decoder.decode(line);
    } catch {
      emit({ kind: 'error', code: 'bad_utf8', message: 'line is not valid UTF-8; it was discarded' });
      return;
    }
    emit({ kind: 'frame', text });
  }

  private reset(): void {
    this.held = [];
    this.heldBytes = 0;
  }
}

/**
 * Operator: bytes in, frames (and framing errors) out. Each subscription gets its own framer.
 * When the byte stream completes, a final unterminated line is emitted before completing.
 */
export function frameLines(maxFrameBytes: number): OperatorFunction<Uint8Array, FramerOutput> {
  return (bytes$) =>
    new Observable<FramerOutput>((subscriber) => {
      const framer = new LineFramer(maxFrameBytes);
      const emit = (output: FramerOutput) => subscriber.next(output);
      return bytes$.subscribe({
        next: (chunk) => framer.push(chunk, emit),
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          framer.end(emit);
          subscriber.complete();
        },
      });
    });
}
