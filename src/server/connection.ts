import { Socket } from 'net';
import { Observable, Subscriber } from 'rxjs';
import { ByeEvent, ClientCommand, ErrorEvent, errorEvent, LeaveReason, ServerEvent, TransportFrame } from '../protocol/frames';
import { FramerOutput, frameLines } from '../protocol/framer';
import { socketBytes } from '../protocol/socket-bytes';
import { decodeJsonFrame } from '../protocol/json-codec';
import { TCP_KEEPALIVE_MS } from '../protocol/limits';
import { decodeTextLine, GREETING_LINE } from '../protocol/text-codec';
import { ConnectionInput } from '../room/events';
import { ConnId } from '../room/state';
import { describeConnId } from '../cluster/node-ids';
import { CatchUp } from './catch-up';
import { HeldInput, InputGate } from './input-gate';
import { Logger } from '../support/logger';
import { TrafficCounters } from './metrics';
import { SendQueue } from './send-queue';
import { SharedEncoding, WireMode } from '../protocol/shared-encoding';
import { TokenBucket } from '../protocol/token-bucket';
import { WriteBatch } from './write-batch';

/** Every per-connection limit; `createChatServer` fills in the defaults from src/protocol/limits.ts. */
export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  /** Until a peer ends a line, a pause this long (ms) ends the line it is sending (see DEFAULT_LINE_IDLE_MS). */
  readonly lineIdleMs: number;
  readonly maxMessageLength: number;
  readonly closeGraceMs: number;
  readonly sendQueueBytes: number;
  readonly slowTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly floodDisconnectAfter: number;
  readonly registerTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly catchUpMs: number;
}

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly limits: ConnectionLimits;
  readonly log: Logger;
  readonly traffic: TrafficCounters;
  readonly gate: InputGate;
  readonly writes: WriteBatch;
  readonly now: () => number;
}

/** A request line of HTTP/1.x: somebody pointed a browser or `curl` at the chat port. */
const HTTP_REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/\d(\.\d)?$/;

/** The first bytes of a TLS handshake record (content type 22, protocol version 3.x). */
function isTlsHandshake(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0] === 0x16 && chunk[1] === 0x03;
}

type Decoded = ClientCommand | TransportFrame | ErrorEvent;

/**
 * One client socket, seen by the room as a stream of inputs and fed by it through `deliver`.
 *
 * The connection owns everything about the wire and every transport policy: framing, picking the mode
 * from the first frame, decoding, answering bad frames itself (the room never sees them), flood
 * control, the bounded send queue for slow peers, and its timeouts (checked by `tick`).
 */
export class Connection implements HeldInput {
  /** Commands for the room. Subscribe once; it completes when the socket closes. */
  readonly input$: Observable<ConnectionInput>;
  /** `address:port` of the peer, for logs. */
  readonly remote: string;
  /**
   * Resolves once the room has had the last of this connection's input, which may be a little after
   * the socket closed (a name sent just before hanging up is answered first). Until then the server
   * keeps routing deliveries here.
   */
  readonly inputDone: Promise<void>;
  private markInputDone!: () => void;

  /** Decided by the first frame: `{` means JSON; until then replies are plain text lines. */
  private mode: WireMode | 'undecided' = 'undecided';
  /** Set by the room's welcome: text lines are names before it and messages after it. */
  private registered = false;
  /**
   * A text-mode name was sent to the room and its answer (welcome or error) has not come back yet.
   * Later lines wait, since whether they are names or messages depends on that answer. In one process
   * the answer comes back at once; in a cluster it takes a round trip through Redis.
   */
  private awaitingNameAnswer = false;
  /** The socket has no more input: the input stream ends once held frames are handled. */
  private inputEnded = false;
  /** The room this user types into, as the room last told us: text lines from it carry no room name. */
  private currentRoom: string | null = null;
  /** Set once we have started closing: later frames and deliveries are dropped. */
  private closing = false;
  /** After a goodbye: end the socket as soon as the send queue has drained. */
  private endWhenFlushed = false;
  /** True while writes of this event-loop turn are being batched into one `writev`. */
  private corked = false;
  /** Until the first chunk has been seen: it is checked for a TLS handshake. */
  private firstChunk = true;
  /** Frames held while the input gate is shut, oldest first from `heldHead`; the socket is paused meanwhile. */
  private heldFrames: FramerOutput[] = [];
  private heldHead = 0;
  private inputSubscriber?: Subscriber<ConnectionInput>;

  private readonly queue: SendQueue;
  private readonly bucket: TokenBucket;
  /** Frames refused for flooding since the bucket was last full. */
  private refusedFrames = 0;
  private readonly connectedAt: number;
  /**
   * Keeping up, catching up (which, in a burst, holds back input) or slow (left to its bounded queue,
   * holding up nobody).
   */
  private readonly catchUp: CatchUp;
  /** Notices a reader that stopped making progress, since a held gate means no new output to notice it by. */
  private catchUpTimer?: NodeJS.Timeout;
  private readonly limits: ConnectionLimits;
  private readonly log: Logger;
  private readonly traffic: TrafficCounters;
  private readonly now: () => number;
  private lastHeardAt: number;
  private pingSentAt: number | null = null;
  /** Why the server ended this connection (the goodbye it said, or why it cut it off); unset while the peer may still hang up first. */
  private endedBecause?: string;
  /** Errors sent before the user had a name, and the last one's code: what a nameless peer that hangs up had been told. */
  private errorsBeforeName = 0;
  private lastErrorBeforeName?: string;

  constructor(
    readonly id: ConnId,
    private readonly socket: Socket,
    private readonly context: ConnectionContext,
  ) {
    const { limits, log, traffic, now } = context;
    this.limits = limits;
    this.log = log;
    this.traffic = traffic;
    this.now = now;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.connectedAt = this.lastHeardAt = now();
    this.queue = new SendQueue(limits.sendQueueBytes);
    this.catchUp = new CatchUp(limits.catchUpMs);
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.burst, this.connectedAt);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    // A reset or broken pipe is an ordinary way for a peer to leave: 'close' follows and ends input$.
    socket.on('error', (err: NodeJS.ErrnoException) => this.log.debug(`socket error ${this.remote} (${describeConnId(id)}): ${err.code ?? err.message}`));
    socket.on('drain', () => this.flush());
    socket.once('close', () => {
      clearTimeout(this.catchUpTimer);
      context.gate.release(this);
      context.gate.forget(this);
      // A name's answer that never comes must not keep a closed connection's lines (and leave) forever.
      if (this.awaitingNameAnswer) setTimeout(() => this.stopAwaitingName(), limits.closeGraceMs).unref();
    });

    this.inputDone = new Promise((resolve) => (this.markInputDone = resolve));
    this.input$ = new Observable<ConnectionInput>((subscriber) => {
      this.inputSubscriber = subscriber;
      const subscription = socketBytes(socket, (chunk) => this.admitChunk(chunk))
        .pipe(frameLines({ maxFrameBytes: limits.maxFrameBytes, idleLineMs: limits.lineIdleMs }))
        .subscribe({
          next: (output) => this.receive(output),
          error: (err: unknown) => subscriber.error(err),
          complete: () => this.endInput(),
        });
      return () => {
        subscription.unsubscribe();
        this.inputSubscriber = undefined;
        this.markInputDone();
      };
    });
  }

  /** The greeting every new connection gets before it says anything. */
  greet(): void {
    this.send(Buffer.from(GREETING_LINE), false);
  }

  /** Sends an event from the room; a `bye` also closes the connection once it is written. */
  deliver(encoding: SharedEncoding): void {
    const event = encoding.event;
    // Even once closing: a peer that sent its name and a line and hung up is still owed that line.
    if (this.awaitingNameAnswer && (event.type === 'welcome' || event.type === 'error')) {
      this.awaitingNameAnswer = false;
      this.registered ||= event.type === 'welcome';
      // Lines held meanwhile go on after this delivery, not inside it: the room is busy delivering. (In
      // one process the answer comes within the name's own `next`, and nothing was held.)
      if (this.heldHead < this.heldFrames.length || this.inputEnded || this.socket.isPaused()) queueMicrotask(() => this.resumeInput());
    }
    if (this.closing) return;
    if (event.type === 'error' && !this.registered) {
      this.errorsBeforeName += 1;
      this.lastErrorBeforeName = event.code;
    }
    if (event.type === 'welcome') {
      this.registered = true;
      this.currentRoom = event.room;
    } else if (event.type === 'entered') {
      this.currentRoom = event.room;
    } else if (event.type === 'parted') {
      this.currentRoom = event.current;
    }
    const bytes = encoding.bytesFor(this.wireMode(), this.currentRoom);
    // Only chat messages may be dropped for a slow peer: notices and replies keep its view consistent.
    if (bytes.length > 0) this.send(bytes, event.type === 'message');
    if (event.type === 'bye') {
      this.endedBecause ??= `${event.reason}: ${event.message}`;
      this.closeGracefully();
    }
  }

  /** Tells the client the server is going away and starts closing. */
  sayShutdown(message: string): void {
    this.sayGoodbye('shutdown', message);
  }

  /** Closes a connection the chat no longer counts as in it (a cluster lost track of it), saying why. */
  evict(message: string): void {
    this.sayGoodbye('unavailable', message);
  }

  /** Tells the room this user left, and why, before the socket closes (which would say `disconnect`). */
  reportLeave(reason: LeaveReason): void {
    this.inputSubscriber?.next({ type: 'disconnect', reason });
  }

  /** Whether the room has welcomed this connection under a name. */
  get named(): boolean {
    return this.registered;
  }

  /** Why the connection ended, for the log: the goodbye the server said, or that the peer hung up (and what it had been told). */
  describeEnd(): string {
    if (this.endedBecause !== undefined) return this.endedBecause;
    if (this.errorsBeforeName === 0) return 'the client closed the connection';
    const errors = this.errorsBeforeName === 1 ? 'an error' : `${this.errorsBeforeName} errors`;
    return `the client closed the connection after ${errors} (last: ${this.lastErrorBeforeName})`;
  }

  /** Resolves once the socket has closed. */
  closed(): Promise<void> {
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** Bytes waiting for a slow peer in our queue and in the socket's own buffer. */
  get pendingBytes(): number {
    return this.queue.bytes + this.socket.writableLength;
  }

  /** Enforces the timeouts: registration, heartbeat and slowness. Called by the server a few times a second. */
  tick(now: number): void {
    if (this.closing) return;
    const { registerTimeoutMs, slowTimeoutMs, pingIntervalMs, pingTimeoutMs } = this.limits;
    this.checkCatchUp(now);
    const { behindSince } = this.catchUp;
    if (behindSince !== null && now - behindSince > slowTimeoutMs) {
      this.dropSlowPeer(`it read nothing for ${Math.round(slowTimeoutMs / 1000)} s`);
    } else if (!this.registered && now - this.connectedAt > registerTimeoutMs) {
      this.sayGoodbye('register_timeout', `No name was chosen within ${seconds(registerTimeoutMs)}. Goodbye!`);
    } else if (this.mode === 'json' && this.registered) {
      if (this.pingSentAt !== null && now - this.pingSentAt > pingTimeoutMs) {
        this.leave('timeout', `No answer to ping within ${seconds(pingTimeoutMs)}. Goodbye!`);
      } else if (this.pingSentAt === null && now - this.lastHeardAt > pingIntervalMs) {
        this.pingSentAt = now;
        this.deliver(new SharedEncoding({ type: 'ping' }));
      }
    }
  }

  /** The input gate opened: hand on held frames while it stays open, then read the socket again. */
  resumeInput(): void {
    if (this.inputEnded) {
      this.endInput();
      return;
    }
    this.handleHeldFrames(() => !this.awaitingNameAnswer && this.context.gate.isOpen);
    if (this.heldHead < this.heldFrames.length) {
      // Still held: by the gate (which resumes us when it opens), or until the name is answered.
      if (!this.awaitingNameAnswer) this.context.gate.wait(this);
    } else {
      this.socket.resume();
    }
  }

  /**
   * The peer stopped sending: what it said before leaving still counts, gate or no gate, so held lines
   * are handed on, and the input ends once the last of them is handled (a name's answer may come first).
   */
  private endInput(): void {
    this.inputEnded = true;
    this.handleHeldFrames(() => !this.awaitingNameAnswer);
    if (!this.awaitingNameAnswer && this.heldHead === this.heldFrames.length) this.inputSubscriber?.complete();
  }

  private stopAwaitingName(): void {
    if (!this.awaitingNameAnswer) return;
    this.awaitingNameAnswer = false;
    this.resumeInput();
  }

  private handleHeldFrames(canGoOn: () => boolean): void {
    while (this.heldHead < this.heldFrames.length && canGoOn()) {
      const output = this.heldFrames[this.heldHead];
      this.heldFrames[this.heldHead++] = undefined as never;
      if (this.inputSubscriber) this.onFrame(output, this.inputSubscriber);
    }
    if (this.heldHead === this.heldFrames.length) {
      this.heldFrames = [];
      this.heldHead = 0;
    }
  }

  /** Input is held, frame by frame and in order, while the gate is shut or older frames still wait. */
  private get holdingInput(): boolean {
    return this.awaitingNameAnswer || this.heldHead < this.heldFrames.length || !this.context.gate.isOpen;
  }

  private holdInput(): void {
    this.socket.pause();
    if (!this.awaitingNameAnswer) this.context.gate.wait(this);
  }

  /** Whether a chunk from the socket is handled now: not while input is held, nor a TLS handshake. */
  private admitChunk(chunk: Buffer): boolean {
    if (this.holdingInput) {
      // Paused first: unshifting into a flowing socket would hand the chunk straight back to us.
      this.holdInput();
      this.socket.unshift(chunk);
      return false;
    }
    this.traffic.bytesIn += chunk.length;
    if (this.firstChunk) {
      this.firstChunk = false;
      // Checked on the raw bytes, before framing: a TLS handshake is binary and may hold no newline.
      if (isTlsHandshake(chunk)) {
        this.sayGoodbye('not_chat', 'This port speaks plain text, not TLS.');
        return false;
      }
    }
    return true;
  }

  private receive(output: FramerOutput): void {
    if (this.holdingInput) {
      // The rest of a chunk that was being framed when the gate shut.
      this.heldFrames.push(output);
      this.holdInput();
    } else if (this.inputSubscriber) {
      this.onFrame(output, this.inputSubscriber);
    }
  }

  private onFrame(output: FramerOutput, subscriber: Subscriber<ConnectionInput>): void {
    if (this.closing) return;
    this.traffic.framesIn += 1;
    const now = this.now();
    this.lastHeardAt = now;
    this.pingSentAt = null;
    if (output.kind === 'error') {
      if (this.admit(now)) this.reply(errorEvent(output.code, output.message));
      return;
    }
    if (this.mode === 'undecided') {
      if (HTTP_REQUEST_LINE.test(output.text)) {
        this.sayGoodbye('not_chat', 'This is a chat server, not a web server: connect with `chat join` or `nc HOST PORT`.');
        return;
      }
      this.mode = output.text.startsWith('{') ? 'json' : 'text';
    }
    const decoded = this.decode(output.text);
    if (decoded === null) return;
    // Leaving is never refused, however fast the peer has been talking.
    if (decoded.type !== 'quit' && !this.admit(now)) return;
    switch (decoded.type) {
      case 'error':
        this.reply(decoded);
        return;
      case 'ping':
        this.reply({ type: 'pong' });
        return;
      case 'pong':
        return;
      default:
        // Set before handing on: in one process the answer is delivered within `next`.
        if (decoded.type === 'hello' && this.mode === 'text') this.awaitingNameAnswer = true;
        subscriber.next(decoded);
    }
  }

  private decode(text: string): Decoded | null {
    return this.mode === 'json'
      ? decodeJsonFrame(text, this.limits.maxMessageLength)
      : decodeTextLine(text, this.registered, this.limits.maxMessageLength);
  }

  /** Flood control: true if the frame may be handled; otherwise the peer is told to wait, or cut off. */
  private admit(now: number): boolean {
    if (this.bucket.isFull(now)) this.refusedFrames = 0;
    const waitMs = this.bucket.take(now);
    if (waitMs === 0) return true;
    this.refusedFrames += 1;
    this.traffic.rateLimited += 1;
    if (this.refusedFrames >= this.limits.floodDisconnectAfter) {
      this.leave('flood', 'You were disconnected for flooding. Goodbye!');
    } else {
      this.reply(errorEvent('rate_limited', `you are sending too fast; that line was dropped, wait ${waitMs} ms`, waitMs));
    }
    return false;
  }

  private reply(event: ServerEvent): void {
    this.deliver(new SharedEncoding(event));
  }

  private wireMode(): WireMode {
    return this.mode === 'json' ? 'json' : 'text';
  }

  /**
   * Writes now if the socket keeps up, else queues. The queue is the only output buffer that grows
   * with a slow peer, and it is bounded: past its bound old chat messages are dropped, and a peer
   * that cannot be helped by that is disconnected.
   */
  private send(bytes: Buffer, droppable: boolean): void {
    if (!this.socket.writable) return;
    if (this.queue.isEmpty && !this.socket.writableNeedDrain) {
      this.write(bytes);
      return;
    }
    this.checkCatchUp(this.now());
    if (!this.queue.push(bytes, droppable)) this.dropSlowPeer(`its send queue passed ${this.limits.sendQueueBytes} bytes`);
  }

  private write(bytes: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.context.writes.add(this);
    }
    this.traffic.framesOut += 1;
    this.traffic.bytesOut += bytes.length;
    if (!this.socket.write(bytes) && this.catchUp.behindSince === null) this.fallBehind();
  }

  /** The socket refused more output: while this reader catches up, a burst may hold back input. */
  private fallBehind(): void {
    const now = this.now();
    if (!this.catchUp.fellBehind(now)) return;
    this.context.gate.hold(this);
    this.armCatchUpTimer(this.catchUp.msUntilStalled(now));
  }

  /** Re-armed only when it fires, so progress costs nothing but a timestamp. */
  private armCatchUpTimer(delayMs: number): void {
    this.catchUpTimer = setTimeout(() => {
      const now = this.now();
      this.checkCatchUp(now);
      if (this.catchUp.catchingUp) this.armCatchUpTimer(this.catchUp.msUntilStalled(now));
    }, delayMs);
    this.catchUpTimer.unref();
  }

  /** For the write batch: hold this turn's writes back... */
  cork(): void {
    this.socket.cork();
  }

  /** ...and send them in one system call at the end of the turn. */
  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  /** A reader that read nothing for the catch-up window is slow: it stops holding back anyone's input. */
  private checkCatchUp(now: number): void {
    if (!this.catchUp.stalled(now)) return;
    clearTimeout(this.catchUpTimer);
    this.context.gate.release(this);
  }

  /** The socket drained: move queued output to it while it accepts more, telling the peer what it missed. */
  private flush(): void {
    this.catchUp.progressed(this.now());
    while (!this.socket.writableNeedDrain) {
      const missed = this.takeMissed();
      if (missed > 0) this.write(new SharedEncoding({ type: 'gap', missed }).bytesFor(this.wireMode(), this.currentRoom));
      const next = this.queue.shift();
      if (next === undefined) break;
      this.write(next);
    }
    if (this.queue.isEmpty && !this.socket.writableNeedDrain) {
      this.catchUp.caughtUp();
      clearTimeout(this.catchUpTimer);
      this.context.gate.release(this);
      if (this.endWhenFlushed) this.socket.end();
    }
  }

  /** Messages dropped since the peer was last told, counted for the metrics as they are reported. */
  private takeMissed(): number {
    const missed = this.queue.takeMissed();
    if (missed > 0) {
      this.traffic.droppedMessages += missed;
      this.traffic.gaps += 1;
    }
    return missed;
  }

  /** Leaves the room with `reason`, says why, and closes. */
  private leave(reason: LeaveReason & ByeEvent['reason'], message: string): void {
    this.inputSubscriber?.next({ type: 'disconnect', reason });
    this.sayGoodbye(reason, message);
  }

  private sayGoodbye(reason: ByeEvent['reason'], message: string): void {
    this.deliver(new SharedEncoding({ type: 'bye', reason, message }));
  }

  /** A peer too slow to read its goodbye is not sent one: it is cut off, and the room told why. */
  private dropSlowPeer(why: string): void {
    if (this.closing) return;
    this.log.info(`dropping slow client ${this.remote} (${describeConnId(this.id)}): ${why}`);
    this.endedBecause ??= `too_slow: ${why}`;
    this.inputSubscriber?.next({ type: 'disconnect', reason: 'too_slow' });
    this.traffic.droppedMessages += this.queue.takeMissed();
    this.closing = true;
    this.socket.destroy();
  }

  private closeGracefully(): void {
    this.closing = true;
    // The goodbye may still be queued behind a slow socket: end (FIN) only once everything is written.
    this.endWhenFlushed = true;
    this.flush();
    const timer = setTimeout(() => this.socket.destroy(), this.limits.closeGraceMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}
