import { connect as netConnect, isIPv6, Socket } from 'net';
import { connect as tlsConnect } from 'tls';
import { BehaviorSubject, distinctUntilChanged, filter, map, Observable, Subject, Subscription } from 'rxjs';
import { frameLines } from '../protocol/framer';
import { socketBytes } from '../protocol/socket-bytes';
import { ClientCommand, ErrorCode, MessageEvent, ServerEvent, TransportFrame, WelcomeEvent } from '../protocol/frames';
import { DEFAULT_HOST, DEFAULT_PORT } from '../protocol/limits';
import { decodeServerLine } from './decode-event';
import {
  CONNECT_TIMEOUT_MS,
  DEFAULT_GOODBYE_WAIT_MS,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_RECONNECT_DELAY_MS,
  HEARTBEAT_IDLE_MS,
  MAX_SERVER_FRAME_BYTES,
  OUTBOX_LIMIT,
  SEND_BURST,
  SEND_RATE_PER_SECOND,
} from './limits';
import { TokenBucket } from '../protocol/token-bucket';
import { applyToRooms, currentRoom, NO_ROOMS, roomKey, RoomsState } from './rooms';

/** Where the client stands with the server. Every change is on `state$` and `events$`. */
export type ConnectionState =
  /** Created; `connect()` not called yet. */
  | { readonly status: 'idle' }
  /** Opening a TCP connection; `attempt` counts from 1 since the last success. */
  | { readonly status: 'connecting'; readonly attempt: number }
  /** Connected, but not (or not yet again) in the room under a name. */
  | { readonly status: 'connected' }
  /** In the room as `name`. */
  | { readonly status: 'registered'; readonly name: string }
  /** The connection was lost or could not be made; the next attempt starts after `delayMs`. */
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  /** Ended for good: after `quit()`, or when the first connection failed. */
  | { readonly status: 'closed'; readonly reason: string };

/** A change of connection state, as it appears among the events. */
export interface ConnectionEvent {
  readonly type: 'connection';
  readonly state: ConnectionState;
}

/** The server's events a client passes on: the heartbeat is answered inside the client. */
export type ChatEvent = Exclude<ServerEvent, TransportFrame>;

/** Everything a client sees, in order: what the server said and what happened to the connection. */
export type ClientEvent = ChatEvent | ConnectionEvent;

/** A command a registered client sends: anything but choosing a name and leaving, which have their own calls. */
export type ChatCommand = Exclude<ClientCommand, { readonly type: 'hello' } | { readonly type: 'quit' }>;

/** What became of a `say()` or `send()`. */
export type SendResult =
  /** Written to the server. */
  | 'sent'
  /** Waiting: for the pace limit, for the connection to come back, or for the name to be confirmed. */
  | 'queued'
  /** Not sent: blank text, no name asked for, the outbox is full, or the client is closed. */
  | 'dropped';

export type ChatClientErrorCode = ErrorCode | 'connect_failed' | 'closed' | 'register_pending';

/** Why a `connect()` or `register()` failed; `code` is the server's error code where there is one. */
export class ChatClientError extends Error {
  constructor(
    readonly code: ChatClientErrorCode,
    message: string,
    /** For `connect_failed`: the socket's own error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, ...). */
    readonly socketCode?: string,
  ) {
    super(message);
    this.name = 'ChatClientError';
  }
}

/** How to speak TLS to a server that serves it (`chat serve --tls-cert --tls-key`). */
export interface ChatClientTlsOptions {
  /**
   * Certificates to trust (PEM), instead of the system's certificate authorities: a self-signed
   * server's own certificate, or the CA that signed it. `readCaFile` reads and checks one from a file.
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * `false` accepts any certificate: the connection is encrypted but anyone in the middle can pose as
   * the server. For experiments only. Default `true`.
   */
  readonly rejectUnauthorized?: boolean;
  /** The name the certificate must be for, when it is not `host` (connecting by IP address to a named server). */
  readonly servername?: string;
}

export interface ChatClientOptions {
  /** Server address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Server port. Default 53000. */
  readonly port?: number;
  /** First wait before reconnecting, in ms; it doubles after each failed attempt. */
  readonly reconnectDelayMs?: number;
  /** Longest wait between reconnection attempts, in ms. */
  readonly maxReconnectDelayMs?: number;
  /** How long `quit()` waits for the server's goodbye, in ms. */
  readonly goodbyeWaitMs?: number;
  /** How long a TCP connect may take, in ms. */
  readonly connectTimeoutMs?: number;
  /** Silence before the client pings the server, and then before it gives the connection up, in ms. */
  readonly heartbeatIdleMs?: number;
  /**
   * Connect with TLS: `true` trusts the system's certificate authorities, an object says which
   * certificates to trust. Default: plain TCP. A certificate that is not trusted fails the connection
   * with a reason saying why (`connect()` rejects with `connect_failed`, and `state$` says it too).
   */
  readonly tls?: boolean | ChatClientTlsOptions;
}

export interface ChatClient {
  /**
   * Server events and connection changes, in order. Hot: subscribe before calling `connect()`.
   * Completes after `quit()`. Text in events comes from the server as is; pass it through
   * `displayText` before printing it to a terminal.
   */
  readonly events$: Observable<ClientEvent>;
  /** Chat messages only (your own included: the server echoes them). */
  readonly messages$: Observable<MessageEvent>;
  /** The connection state: the current one at once, then every change. */
  readonly state$: Observable<ConnectionState>;
  /** The rooms we are in and the current one: now, then every change. Empty while not registered. */
  readonly rooms$: Observable<RoomsState>;
  /**
   * Who is in the current room, sorted: now, then every change. Empty while not registered, and in a
   * quiet room (too big for the server to announce joins), where `names` gives the list.
   */
  readonly users$: Observable<readonly string[]>;
  readonly state: ConnectionState;
  /** The name the server confirmed, while registered (it follows `/nick`). */
  readonly name: string | undefined;
  readonly rooms: RoomsState;
  /** The current room: where `say` goes without a room. */
  readonly room: string | null;
  readonly users: readonly string[];
  /** `host:port`, for display. */
  readonly address: string;
  /** Whether the connection is (to be) made with TLS. */
  readonly secure: boolean;

  /**
   * Opens the first connection. Rejects with `connect_failed` (and the client is closed) if it cannot
   * be made; once it has been made, later losses are repaired by reconnecting with backoff.
   */
  connect(): Promise<void>;
  /**
   * Asks for a name. Resolves with the welcome, or rejects with the server's error (`name_taken`,
   * `name_invalid`, ...). After every reconnect the client asks for the name again by itself and
   * goes back into the rooms it was in.
   *
   * A clustered server that cannot reach its shared store refuses the name with `unavailable`: that
   * says nothing about the name, so the promise does not settle then. The refusal is passed on to
   * `events$` and the client asks again by itself, as soon as the server says the chat is back (a
   * `status` with `degraded: false`), or else after the reconnect backoff delay, growing with each
   * refusal. The promise settles with the answer to that later `hello` (the welcome, or a refusal of
   * the name), or rejects with `closed` if the client is closed first. Meanwhile another `register()`
   * is refused with `register_pending`, and what is said waits in the outbox.
   */
  register(name: string): Promise<WelcomeEvent>;
  /** Says something in the current room, or in `room`; in order with everything sent before. */
  say(text: string, room?: string): SendResult;
  /** Sends any command (`join`, `part`, `me`, `msg`, `nick`, `names`, `rooms`, `help`, `say`), in order. */
  send(command: ChatCommand): SendResult;
  /**
   * Resolves once nothing said so far is left waiting that could still go: the outbox is empty (all
   * of it written to the socket), or its name was refused after a reconnect (nothing goes out until
   * `register()` succeeds again), or the client is closed. A program that says a lot and then quits
   * waits for this first: `quit()` drops what the pace still holds back.
   */
  drained(): Promise<void>;
  /**
   * Leaves for good: sends `quit`, waits briefly for the goodbye, closes the socket and completes the
   * streams. Never rejects; calling it again returns the same promise.
   */
  quit(): Promise<void>;
}

interface PendingRegistration {
  readonly resolve: (welcome: WelcomeEvent) => void;
  readonly reject: (error: ChatClientError) => void;
}

/** Error codes the server answers a `hello` with: refusals of the name, which settle a registration. */
const HELLO_ERRORS: ReadonlySet<string> = new Set<ErrorCode>(['name_taken', 'name_invalid', 'already_registered']);

/**
 * The server could not take any name just now (a clustered server cut off from its shared store): the
 * `hello` is sent again later, and the registration waits for that answer.
 */
const HELLO_DEFERRED: ErrorCode = 'unavailable';

/**
 * A chat client that speaks the JSON protocol over TCP, for people (the terminal UI) and programs alike.
 *
 * One connection at a time. When it is lost the client waits (doubling from `reconnectDelayMs` up to
 * `maxReconnectDelayMs`, with jitter so a restarted server is not hit by every client at once),
 * connects again and asks for the same name, so a program survives a server restart untouched.
 * What it says is paced under the server's flood limit and kept, in order, while the connection is
 * down. It answers the server's pings, and pings a silent server itself to notice a dead network.
 */
export function createChatClient(options: ChatClientOptions = {}): ChatClient {
  const {
    host = DEFAULT_HOST,
    port = DEFAULT_PORT,
    reconnectDelayMs = DEFAULT_RECONNECT_DELAY_MS,
    maxReconnectDelayMs = DEFAULT_MAX_RECONNECT_DELAY_MS,
    goodbyeWaitMs = DEFAULT_GOODBYE_WAIT_MS,
    connectTimeoutMs = CONNECT_TIMEOUT_MS,
    heartbeatIdleMs = HEARTBEAT_IDLE_MS,
    tls,
  } = options;
  const tlsOptions: ChatClientTlsOptions | undefined = tls === true ? {} : tls === false ? undefined : tls;
  const address = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;

  const events$ = new Subject<ClientEvent>();
  const state$ = new BehaviorSubject<ConnectionState>({ status: 'idle' });
  const rooms$ = new BehaviorSubject<RoomsState>(NO_ROOMS);
  const pacer = new TokenBucket(SEND_RATE_PER_SECOND, SEND_BURST, Date.now());

  /** The open socket, once its connection is established. */
  let socket: Socket | undefined;
  /** A socket still connecting, so that `quit()` can stop it. */
  let connecting: Socket | undefined;
  let socketSubscription: Subscription | undefined;
  /** The name to be in the room under: asked for, or confirmed and to be asked for again after a reconnect. */
  let wantedName: string | undefined;
  /** The name confirmed by a welcome on the current connection. */
  let registeredName: string | undefined;
  /** A `hello` was sent on the current connection and not answered yet. */
  let helloInFlight = false;
  /**
   * The server refused our `hello` with `unavailable` on the current connection: it is sent again when
   * this fires, or sooner if the server says the chat is back.
   */
  let helloRetryTimer: NodeJS.Timeout | undefined;
  /** `hello`s refused with `unavailable` since the last welcome, which sets the wait before the next. */
  let helloRefusals = 0;
  let pending: PendingRegistration | undefined;
  /** Commands not yet sent, oldest first. */
  const outbox: ChatCommand[] = [];
  /** `drained()` calls waiting for the outbox to empty. */
  const drainWaiters: Array<() => void> = [];
  /** The rooms we were in when the connection was lost, to go back into once registered again. */
  let roomsToRestore: RoomsState | undefined;
  let pumpTimer: NodeJS.Timeout | undefined;
  /** The server said we were too fast: nothing is said before this time. */
  let pausedUntil = 0;
  /** Failed attempts since the last success, which sets the next backoff. */
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  /** Why the server is closing this connection, when it said so in a `bye`. */
  let goodbyeReason: string | undefined;
  let quitting: Promise<void> | undefined;
  /** Called when the goodbye arrives or the socket closes while quitting. */
  let onGoodbye: (() => void) | undefined;
  /** We pinged the server and have heard nothing since. */
  let pingOutstanding = false;

  function setState(state: ConnectionState): void {
    state$.next(state);
    events$.next({ type: 'connection', state });
  }

  function setRooms(rooms: RoomsState): void {
    if (rooms !== rooms$.value) rooms$.next(rooms);
  }

  function send(command: ClientCommand | TransportFrame): boolean {
    if (!socket || !socket.writable) return false;
    socket.write(`${JSON.stringify(command)}\n`);
    return true;
  }

  function sendHello(): void {
    cancelHelloRetry();
    if (wantedName === undefined || !socket || quitting) return;
    // A hello counts against the server's flood limit like any frame; it is rare enough to go at once.
    pacer.take(Date.now());
    if (send({ type: 'hello', name: wantedName })) helloInFlight = true;
  }

  /** Sends what the outbox holds, as fast as the pace allows; waits on a timer for the rest. */
  function pump(): void {
    if (pumpTimer) return;
    while (outbox.length > 0 && registeredName !== undefined && socket) {
      const now = Date.now();
      const wait = pausedUntil > now ? pausedUntil - now : pacer.take(now);
      if (wait > 0) {
        pumpTimer = setTimeout(() => {
          pumpTimer = undefined;
          pump();
        }, wait);
        return;
      }
      send(outbox.shift()!);
    }
    settleDrained();
  }

  /** Wakes the `drained()` calls once nothing in the outbox can go any more, or nothing is left in it. */
  function settleDrained(): void {
    if (outbox.length > 0 && wantedName !== undefined && state$.value.status !== 'closed') return;
    for (const resolve of drainWaiters.splice(0)) resolve();
  }

  function enqueue(command: ChatCommand): SendResult {
    if (quitting || state$.value.status === 'closed') return 'dropped';
    if ('text' in command && command.text.trim().length === 0) return 'dropped';
    if (wantedName === undefined || outbox.length >= OUTBOX_LIMIT) return 'dropped';
    outbox.push(command);
    pump();
    // The outbox is sent in order, so it is empty exactly when this command has gone too.
    return outbox.length === 0 ? 'sent' : 'queued';
  }

  function stopPump(): void {
    if (pumpTimer) clearTimeout(pumpTimer);
    pumpTimer = undefined;
  }

  /** The wait before trying again after `attempts` failures in a row (at least 1). */
  function backoff(attempts = failures): number {
    const exponential = Math.min(maxReconnectDelayMs, reconnectDelayMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(exponential * (0.5 + Math.random() * 0.5));
  }

  /**
   * Our `hello` was refused because the server cannot take any name right now. The server announces
   * when the chat is back, and that notice is the cue to ask again; the timer covers a notice that
   * never comes (it was lost, or the server never told this connection it was degraded).
   */
  function scheduleHelloRetry(): void {
    helloRefusals++;
    cancelHelloRetry();
    helloRetryTimer = setTimeout(() => {
      helloRetryTimer = undefined;
      sendHello();
    }, backoff(helloRefusals));
  }

  function cancelHelloRetry(): void {
    if (helloRetryTimer) clearTimeout(helloRetryTimer);
    helloRetryTimer = undefined;
  }

  /**
   * Opens one connection. The first call's promise settles with its outcome; for reconnections it
   * always resolves, because a failure there just schedules the next attempt.
   */
  function open(first: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      setState({ status: 'connecting', attempt: failures + 1 });
      let candidate: Socket;
      try {
        candidate = openSocket();
      } catch (err) {
        // Options no connection can be made with (a port out of range, a malformed `ca`) fail at once,
        // and for good: trying again would fail the same way.
        const reason = `cannot connect to ${address}: ${(err as Error).message}`;
        finish(reason);
        reject(new ChatClientError('connect_failed', reason, (err as NodeJS.ErrnoException).code));
        return;
      }
      connecting = candidate;
      let connected = false;
      let lastError: NodeJS.ErrnoException | undefined;
      /** Whether the server has said anything on this connection: a plain server always greets first. */
      let heard = false;
      candidate.setNoDelay(true);
      candidate.setTimeout(connectTimeoutMs);

      candidate.on('timeout', function onIdle() {
        if (!connected) {
          candidate.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
        } else if (pingOutstanding) {
          candidate.destroy(Object.assign(new Error('the server stopped answering'), { code: 'ETIMEDOUT' }));
        } else {
          // Writing restarts the idle timer: the next 'timeout' means the ping went unanswered.
          pingOutstanding = true;
          send({ type: 'ping' });
        }
      });
      // Every socket error is followed by 'close', which decides what happens next.
      candidate.on('error', function onSocketError(err: NodeJS.ErrnoException) {
        lastError = err;
      });
      // With TLS the connection is usable once the handshake has checked the certificate, not before.
      candidate.once(tlsOptions ? 'secureConnect' : 'connect', function onConnect() {
        connected = true;
        connecting = undefined;
        candidate.setTimeout(heartbeatIdleMs);
        candidate.setKeepAlive(true, heartbeatIdleMs);
        if (quitting) {
          candidate.destroy();
          reject(new ChatClientError('closed', 'the client was closed'));
          return;
        }
        socket = candidate;
        goodbyeReason = undefined;
        pingOutstanding = false;
        socketSubscription = lines(candidate).subscribe((line) => {
          heard = true;
          onLine(line);
        });
        setState({ status: 'connected' });
        if (wantedName === undefined) failures = 0;
        sendHello();
        resolve();
      });
      candidate.once('close', function onClose() {
        if (connecting === candidate) connecting = undefined;
        if (connected) {
          onConnectionLost(goodbyeReason ?? (lastError ? describeSocketError(lastError) : closedWithoutWord(heard)));
          return;
        }
        const reason = describeSocketError(lastError);
        if (quitting) {
          reject(new ChatClientError('closed', 'the client was closed'));
        } else if (first) {
          finish(`cannot connect to ${address}: ${reason}`);
          reject(new ChatClientError('connect_failed', `cannot connect to ${address}: ${reason}`, lastError?.code));
        } else {
          failures++;
          scheduleReconnect(reason);
          resolve();
        }
      });
    });
  }

  function openSocket(): Socket {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`the port must be a whole number from 1 to 65535 (got ${String(port)})`);
    }
    if (!tlsOptions) return netConnect({ host, port });
    const { ca, rejectUnauthorized = true, servername } = tlsOptions;
    return tlsConnect({
      host,
      port,
      ca: ca as string | Buffer | Array<string | Buffer> | undefined,
      rejectUnauthorized,
      // Node sends no SNI for an IP address and checks the certificate against the address itself.
      ...(servername !== undefined ? { servername } : {}),
    });
  }

  /** Why a connection closed when neither a goodbye nor a socket error said. */
  function closedWithoutWord(heard: boolean): string {
    // A TLS server that is sent plain text closes without a word, where our own plain server greets.
    if (!heard && !tlsOptions) return 'the server closed the connection without a word (does it expect TLS?)';
    return 'the server closed the connection';
  }

  function onConnectionLost(reason: string): void {
    socketSubscription?.unsubscribe();
    socketSubscription = undefined;
    socket = undefined;
    if (registeredName !== undefined && rooms$.value.rooms.size > 0) roomsToRestore = rooms$.value;
    registeredName = undefined;
    helloInFlight = false;
    // The next connection asks for the name as soon as it is made.
    cancelHelloRetry();
    stopPump();
    setRooms(NO_ROOMS);
    if (quitting) {
      onGoodbye?.();
      return;
    }
    failures++;
    scheduleReconnect(reason);
  }

  function scheduleReconnect(reason: string): void {
    const delayMs = backoff();
    setState({ status: 'reconnecting', attempt: failures + 1, delayMs, reason });
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void open(false);
    }, delayMs);
  }

  function onLine(line: string): void {
    const event = decodeServerLine(line);
    // Any line at all, even one we cannot read, shows the server is alive.
    const answeringPing = pingOutstanding;
    pingOutstanding = false;
    if (event === null) return;
    switch (event.type) {
      case 'ping':
        pacer.take(Date.now());
        send({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'welcome':
        onWelcome(event);
        return;
      case 'error':
        // A server from before the heartbeat does not know `ping`: its complaint is answer enough.
        if (answeringPing && event.code === 'unknown_type') return;
        if (event.code === 'rate_limited' && event.retryAfterMs !== undefined) {
          // The server's limit is tighter than our pace: hold everything back as long as it asks.
          pausedUntil = Date.now() + event.retryAfterMs;
        }
        if (helloInFlight && HELLO_ERRORS.has(event.code)) {
          helloInFlight = false;
          helloRefusals = 0;
          // A name refused on a reconnect (someone took it meanwhile) is no longer ours to ask for.
          if (event.code !== 'already_registered') wantedName = undefined;
          const registration = pending;
          pending = undefined;
          events$.next(event);
          registration?.reject(new ChatClientError(event.code, event.message));
          settleDrained();
          return;
        }
        if (helloInFlight && event.code === HELLO_DEFERRED) {
          // Not a word about the name: keep it, and keep `register()` waiting for the answer to the retry.
          helloInFlight = false;
          events$.next(event);
          scheduleHelloRetry();
          return;
        }
        events$.next(event);
        return;
      case 'nick':
        setRooms(applyToRooms(rooms$.value, event));
        if (event.old === registeredName) {
          // Our own new name is the one to ask for after a reconnect.
          registeredName = wantedName = event.name;
          events$.next(event);
          setState({ status: 'registered', name: event.name });
          return;
        }
        events$.next(event);
        return;
      case 'joined':
      case 'left':
      case 'entered':
      case 'parted':
      case 'names':
        // The rooms are updated first, so a subscriber reading `room` sees the room this event left it in.
        setRooms(applyToRooms(rooms$.value, event));
        events$.next(event);
        return;
      case 'bye':
        // Any goodbye but our own quit is the server closing on us; the reconnection says why.
        if (event.reason !== 'quit') goodbyeReason = event.message;
        events$.next(event);
        if (event.reason === 'quit') onGoodbye?.();
        return;
      case 'message':
      case 'private':
      case 'rooms':
      case 'help':
      case 'gap':
        events$.next(event);
        return;
      case 'status':
        events$.next(event);
        // The chat is back: a name it could not take a moment ago may be asked for again at once.
        if (!event.degraded && helloRetryTimer) sendHello();
        return;
    }
  }

  function onWelcome(welcome: WelcomeEvent): void {
    helloInFlight = false;
    helloRefusals = 0;
    cancelHelloRetry();
    wantedName = welcome.name;
    registeredName = welcome.name;
    failures = 0;
    setRooms(applyToRooms(rooms$.value, welcome));
    events$.next(welcome);
    setState({ status: 'registered', name: welcome.name });
    const registration = pending;
    pending = undefined;
    registration?.resolve(welcome);
    if (roomsToRestore) {
      // Back into the rooms we were in, before anything said meanwhile, which was meant for them.
      outbox.unshift(...restoreRooms(roomsToRestore, welcome.room));
      roomsToRestore = undefined;
    }
    pump();
  }

  function finish(reason: string): void {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    cancelHelloRetry();
    stopPump();
    socketSubscription?.unsubscribe();
    socket?.destroy();
    connecting?.destroy();
    socket = undefined;
    connecting = undefined;
    registeredName = undefined;
    outbox.length = 0;
    const registration = pending;
    pending = undefined;
    registration?.reject(new ChatClientError('closed', 'the client was closed'));
    setRooms(NO_ROOMS);
    setState({ status: 'closed', reason });
    settleDrained();
    events$.complete();
    state$.complete();
    rooms$.complete();
  }

  return {
    events$: events$.asObservable(),
    messages$: events$.pipe(filter((event): event is MessageEvent => event.type === 'message')),
    state$: state$.asObservable(),
    rooms$: rooms$.asObservable(),
    users$: rooms$.pipe(
      map((rooms) => currentRoom(rooms)?.users ?? NO_USERS),
      distinctUntilChanged(),
    ),
    get state() {
      return state$.value;
    },
    get name() {
      return registeredName;
    },
    get rooms() {
      return rooms$.value;
    },
    get room() {
      return rooms$.value.current;
    },
    get users() {
      return currentRoom(rooms$.value)?.users ?? NO_USERS;
    },
    address,
    secure: tlsOptions !== undefined,

    connect() {
      if (state$.value.status !== 'idle') return Promise.reject(new ChatClientError('closed', 'connect() may be called only once'));
      return open(true);
    },

    register(name: string) {
      if (quitting || state$.value.status === 'closed') return Promise.reject(new ChatClientError('closed', 'the client was closed'));
      if (registeredName !== undefined) {
        return Promise.reject(new ChatClientError('already_registered', `you are already in the chat as ${registeredName}`));
      }
      // A hello waiting to be sent again (the server could not take it) is as good as one in flight: a
      // line typed meanwhile is for the chat, not a new name.
      if (pending || helloInFlight || helloRetryTimer) return Promise.reject(new ChatClientError('register_pending', 'a name was already asked for; wait for the answer'));
      return new Promise<WelcomeEvent>((resolve, reject) => {
        pending = { resolve, reject };
        wantedName = name;
        sendHello();
      });
    },

    say(text: string, room?: string) {
      return enqueue(room === undefined ? { type: 'say', text } : { type: 'say', text, room });
    },

    send: enqueue,

    drained() {
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        settleDrained();
      });
    },

    quit() {
      if (quitting) return quitting;
      if (state$.value.status === 'closed') return Promise.resolve();
      quitting = new Promise<void>((resolve) => {
        if (reconnectTimer) clearTimeout(reconnectTimer);
        reconnectTimer = undefined;
        cancelHelloRetry();
        stopPump();
        const done = () => {
          clearTimeout(timer);
          onGoodbye = undefined;
          finish('quit');
          resolve();
        };
        // Leaving is never refused by the server's flood limit, so it goes out at once.
        const timer = setTimeout(done, send({ type: 'quit' }) ? goodbyeWaitMs : 0);
        onGoodbye = done;
      });
      return quitting;
    },
  };
}

const NO_USERS: readonly string[] = [];

/**
 * The commands that take us back into the rooms we were in, after a reconnect put us in `welcomeRoom`
 * only: join each in the order first joined, leave the welcome room if we had left it, and switch
 * back to the room that was current.
 */
export function restoreRooms(before: RoomsState, welcomeRoom: string): ChatCommand[] {
  const commands: ChatCommand[] = [];
  const welcomeKey = roomKey(welcomeRoom);
  let last = welcomeKey;
  for (const [key, { room }] of before.rooms) {
    if (key === welcomeKey) continue;
    commands.push({ type: 'join', room });
    last = key;
  }
  if (!before.rooms.has(welcomeKey)) commands.push({ type: 'part', room: welcomeRoom });
  if (before.current !== null && roomKey(before.current) !== last) commands.push({ type: 'join', room: before.current });
  return commands;
}

/** The socket's bytes, framed into lines; completes when the socket ends or closes. */
function lines(socket: Socket): Observable<string> {
  return new Observable<string>((subscriber) =>
    socketBytes(socket).pipe(frameLines(MAX_SERVER_FRAME_BYTES)).subscribe({
      // Oversized or non-UTF-8 lines from the server are dropped, like any line the client cannot read.
      next: (output) => {
        if (output.kind === 'frame') subscriber.next(output.text);
      },
      complete: () => subscriber.complete(),
    }),
  );
}

/** A short human reason for a failed or lost connection. */
export function describeSocketError(err: NodeJS.ErrnoException | undefined): string {
  if (err === undefined) return 'the connection closed';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return err.message === 'the server stopped answering' ? err.message : 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection broken';
    default:
      return describeTlsError(err) ?? err.message;
  }
}

/** Certificate checks that failed because the certificate is not one we were told to trust. */
const UNTRUSTED_CERTIFICATE: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it was issued by a self-signed certificate authority that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was issued by a certificate authority that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'it was issued by a certificate authority that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was issued by a certificate authority that is not trusted',
  CERT_UNTRUSTED: 'it is not trusted for this purpose',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  CERT_REVOKED: 'it was revoked',
  CERT_SIGNATURE_FAILURE: 'its signature does not check out',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is for another name',
};

/** Whether a connection failed because the server's certificate was not trusted (as opposed to unreachable). */
export function isUntrustedCertificate(socketCode: string | undefined): boolean {
  return socketCode !== undefined && Object.hasOwn(UNTRUSTED_CERTIFICATE, socketCode);
}

/** A TLS failure in words, or undefined when `err` is not one. */
function describeTlsError(err: NodeJS.ErrnoException): string | undefined {
  const code = err.code ?? '';
  if (isUntrustedCertificate(code)) {
    const why = UNTRUSTED_CERTIFICATE[code];
    // The altname check's own message names the host and the names the certificate is for.
    const detail = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ` (${err.message})` : '';
    return `the server's certificate is not trusted: ${why}${detail}`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST') {
    return 'the server does not speak TLS on this port (connect without TLS)';
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    // OpenSSL messages carry a file and line; the first part is the readable one.
    return `the TLS handshake failed: ${err.message.split('\n')[0].replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '')}`;
  }
  return undefined;
}
