import { asyncScheduler, Observable, OperatorFunction, SchedulerLike, Subscription } from 'rxjs';

/** One complete line, decoded, without its line end. */
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

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = 0x00;

/**
 * Splits a byte stream into UTF-8 lines.
 *
 * A line ends with LF, CR, CRLF or CR NUL: Unix tools send LF, telnet and most protocols CRLF, old
 * terminals and some telnet modes a lone CR (or CR NUL). The byte after a CR is looked at even when it
 * arrives in the next chunk, so CRLF split across two reads is still one line end.
 *
 * A pure state machine: it only sees bytes and hands back frames, so it is tested without sockets.
 * Splitting happens on the line-end bytes before decoding; UTF-8 never uses 0x0A or 0x0D inside a
 * multi-byte character, so a character split across chunks is simply joined again before it is decoded.
 *
 * The size limit is enforced while buffering: as soon as the bytes held for the current line pass
 * the limit, the framer reports `frame_too_large`, drops what it held and skips the rest of that line,
 * so a peer that sends megabytes without a line end costs at most `maxFrameBytes` of memory.
 */
export class LineFramer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** True while skipping the remainder of an oversized line, up to its line end. */
  private discarding = false;
  /** The last line ended with a CR at the very end of a chunk: an LF or NUL first in the next chunk is part of that line end. */
  private afterCarriageReturn = false;
  private lineEndSeen = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Whether the peer has ever ended a line. Until it has, `frameLines` may end a line at a pause. */
  get hasSentLineEnd(): boolean {
    return this.lineEndSeen;
  }

  /** Whether bytes of an unfinished line are held (or being skipped, for an oversized one). */
  get hasOpenLine(): boolean {
    return this.heldBytes > 0 || this.discarding;
  }

  /** Feeds one chunk; calls `emit` for each frame or error it completes, in order. */
  push(chunk: Uint8Array, emit: (output: FramerOutput) => void): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.afterCarriageReturn && bytes.length > 0) {
      this.afterCarriageReturn = false;
      if (bytes[0] === LINE_FEED || bytes[0] === NUL) start = 1;
    }
    // Positions of the next LF and CR at or after `start`, searched again only once passed: a chunk of
    // many LF-terminated lines costs one search for CR in all, not one per line.
    let nextLineFeed = bytes.indexOf(LINE_FEED, start);
    let nextCarriageReturn = bytes.indexOf(CARRIAGE_RETURN, start);
    while (start < bytes.length) {
      if (nextLineFeed !== -1 && nextLineFeed < start) nextLineFeed = bytes.indexOf(LINE_FEED, start);
      if (nextCarriageReturn !== -1 && nextCarriageReturn < start) nextCarriageReturn = bytes.indexOf(CARRIAGE_RETURN, start);
      const lineEnd =
        nextCarriageReturn === -1 ? nextLineFeed : nextLineFeed === -1 ? nextCarriageReturn : Math.min(nextLineFeed, nextCarriageReturn);
      if (lineEnd === -1) {
        this.hold(bytes.subarray(start), emit, false);
        return;
      }
      this.lineEndSeen = true;
      if (this.discarding) {
        this.discarding = false;
      } else {
        this.hold(bytes.subarray(start, lineEnd), emit, true);
      }
      start = lineEnd + 1;
      if (bytes[lineEnd] === CARRIAGE_RETURN) {
        if (start === bytes.length) this.afterCarriageReturn = true;
        else if (bytes[start] === LINE_FEED || bytes[start] === NUL) start += 1;
      }
    }
  }

  /**
   * The line being sent is complete without a line end: the peer paused (see `frameLines`) or finished.
   * What it held is a frame; an oversized line being skipped is simply over.
   */
  endLine(emit: (output: FramerOutput) => void): void {
    if (this.discarding) {
      this.discarding = false;
    } else if (this.heldBytes > 0) {
      this.hold(Buffer.alloc(0), emit, true);
    }
  }

  /** The peer finished sending: a last line without a line end still counts as a frame. */
  end(emit: (output: FramerOutput) => void): void {
    this.endLine(emit);
    this.afterCarriageReturn = false;
  }

  private hold(piece: Buffer, emit: (output: FramerOutput) => void, lineEnds: boolean): void {
    if (this.discarding) return;
    const total = this.heldBytes + piece.length;
    if (total > this.maxFrameBytes) {
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

  private completeLine(emit: (output: FramerOutput) => void): void {
    const line = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldBytes);
    this.reset();
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

/** How `frameLines` cuts a byte stream into lines. */
export interface FrameLinesOptions {
  /** Longest line, in bytes, checked while buffering. */
  readonly maxFrameBytes: number;
  /**
   * Until the peer has ended a line, a pause of this many milliseconds after its last byte ends the
   * line it was sending; 0 never does. The original chat programs' clients send the name and each
   * message as one write with no line end, and wait for an answer: the pause is their line end. A peer
   * that has ended a line once is a line client, and its lines are never cut by a pause.
   */
  readonly idleLineMs?: number;
  /** Where the pause is timed; tests pass a virtual one. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Operator: bytes in, frames (and framing errors) out. Each subscription gets its own framer.
 * When the byte stream completes, a final unterminated line is emitted before completing.
 */
export function frameLines(options: FrameLinesOptions | number): OperatorFunction<Uint8Array, FramerOutput> {
  const { maxFrameBytes, idleLineMs = 0, scheduler = asyncScheduler } = typeof options === 'number' ? { maxFrameBytes: options } : options;
  return (bytes$) =>
    new Observable<FramerOutput>((subscriber) => {
      const framer = new LineFramer(maxFrameBytes);
      const emit = (output: FramerOutput) => subscriber.next(output);
      /** The pending end of an unterminated line, re-armed by every chunk of it. */
      let pause: Subscription | undefined;
      const endLineAtPause = () => {
        pause = undefined;
        framer.endLine(emit);
      };
      const subscription = bytes$.subscribe({
        next: (chunk) => {
          pause?.unsubscribe();
          pause = undefined;
          framer.push(chunk, emit);
          if (idleLineMs > 0 && !framer.hasSentLineEnd && framer.hasOpenLine) pause = scheduler.schedule(endLineAtPause, idleLineMs);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          pause?.unsubscribe();
          framer.end(emit);
          subscriber.complete();
        },
      });
      return () => {
        pause?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
