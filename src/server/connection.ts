import { Socket } from 'net';
import { Observable, Subscriber } from 'rxjs';
import { ClientCommand, ErrorEvent, ServerEvent } from '../protocol/frames';
import { FramerOutput, frameLines } from '../protocol/framer';
import { decodeJsonFrame } from '../protocol/json-codec';
import { decodeTextLine, GREETING_LINE } from '../protocol/text-codec';
import { ConnectionInput } from '../room/events';
import { ConnId } from '../room/state';
import { Logger } from './logger';
import { SharedEncoding, WireMode } from './shared-encoding';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxMessageLength: number;
  readonly closeGraceMs: number;
}

/** The socket's bytes as a stream that completes when the peer ends or the socket closes. */
function socketBytes(socket: Socket): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const onData = (chunk: Buffer) => subscriber.next(chunk);
    const onEnd = () => subscriber.complete();
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    return () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
  });
}

function isError(value: ClientCommand | ErrorEvent): value is ErrorEvent {
  return value.type === 'error';
}

/**
 * One client socket, seen by the room as a stream of inputs and fed by it through `deliver`.
 *
 * The connection owns everything about the wire: framing, picking the mode from the first frame,
 * decoding, answering bad frames directly (the room never sees them), encoding, and socket hygiene.
 */
export class Connection {
  /** Commands for the room. Subscribe once; it completes when the socket closes. */
  readonly input$: Observable<ConnectionInput>;
  /** `address:port` of the peer, for logs. */
  readonly remote: string;

  /** Decided by the first frame: `{` means JSON; until then replies are plain text lines. */
  private mode: WireMode | 'undecided' = 'undecided';
  /** Set by the room's welcome: text lines are names before it and messages after it. */
  private registered = false;
  /** Set once we have started closing: later frames and deliveries are dropped. */
  private closing = false;
  /** True while writes of this event-loop turn are being batched into one `writev`. */
  private corked = false;

  constructor(
    readonly id: ConnId,
    private readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    // A reset or broken pipe is an ordinary way for a peer to leave: 'close' follows and ends input$.
    socket.on('error', (err: NodeJS.ErrnoException) => this.log.debug(`socket error ${this.remote} (#${id}): ${err.code ?? err.message}`));

    this.input$ = new Observable<ConnectionInput>((subscriber) =>
      socketBytes(socket)
        .pipe(frameLines(limits.maxFrameBytes))
        .subscribe({
          next: (output) => this.onFrame(output, subscriber),
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
    );
  }

  /** The greeting every new connection gets before it says anything. */
  greet(): void {
    this.writeBytes(Buffer.from(GREETING_LINE));
  }

  /** Sends an event from the room; a `bye` also closes the connection once it is written. */
  deliver(encoding: SharedEncoding): void {
    if (this.closing) return;
    const event = encoding.event;
    if (event.type === 'welcome') this.registered = true;
    this.writeBytes(encoding.bytesFor(this.wireMode()));
    if (event.type === 'bye') this.closeGracefully();
  }

  /** Tells the client the server is going away and closes; returns once the socket has closed. */
  shutdown(message: string): Promise<void> {
    this.deliver(new SharedEncoding({ type: 'bye', reason: 'shutdown', message }));
    return this.closed();
  }

  /** Ends at once, without goodbye: for peers that did not close when asked. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<void> {
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  private onFrame(output: FramerOutput, subscriber: Subscriber<ConnectionInput>): void {
    if (this.closing) return;
    if (output.kind === 'error') {
      this.reply({ type: 'error', code: output.code, message: output.message });
      return;
    }
    if (this.mode === 'undecided') this.mode = output.text.startsWith('{') ? 'json' : 'text';
    const decoded =
      this.mode === 'json'
        ? decodeJsonFrame(output.text, this.limits.maxMessageLength)
        : decodeTextLine(output.text, this.registered, this.limits.maxMessageLength);
    if (decoded === null) return;
    if (isError(decoded)) this.reply(decoded);
    else subscriber.next(decoded);
  }

  private reply(event: ServerEvent): void {
    this.deliver(new SharedEncoding(event));
  }

  private wireMode(): WireMode {
    return this.mode === 'json' ? 'json' : 'text';
  }

  private writeBytes(bytes: Buffer): void {
    if (!this.socket.writable) return;
    if (!this.corked) {
      // Everything written in this turn of the event loop leaves in one system call.
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  private closeGracefully(): void {
    this.closing = true;
    // end() flushes what is queued, then sends FIN; the peer's FIN or a reset then closes the socket.
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), this.limits.closeGraceMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}
