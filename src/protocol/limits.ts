/**
 * Every tunable limit of the protocol and the server, in one place. Each one has a `chat serve` flag
 * (see src/cli/serve-options.ts) so an operator can change it without editing code.
 */

/** Longest frame (one line, without its newline) a peer may send. Checked while buffering. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024;

/**
 * Until a connection has ended a line (LF, CR, CRLF or CR NUL), a pause this long after its last byte,
 * in milliseconds, ends the line it was sending. The original chat programs' clients send the name and
 * each message as one write with no line end, seconds apart: the pause is their line end, and 200 ms
 * keeps their messages apart even when typed or scripted 300 ms apart while seeing them within a second.
 * A connection that has ended a line once is a line client (netcat, telnet, our client): its lines are
 * never cut by a pause, however slowly they arrive. 0 turns pauses off.
 */
export const DEFAULT_LINE_IDLE_MS = 200;

/** Longest chat message, in Unicode code points, after cleaning. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 2000;

/** Longest user name, in Unicode code points, after NFC normalization. */
export const MAX_NAME_LENGTH = 32;

/** Default TCP port of `chat serve` and `chat join`. */
export const DEFAULT_PORT = 53000;

/** Default listening address: loopback only, so a new server is never exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * How long a closing connection (after `/quit`, or at shutdown) waits for its peer to read the
 * goodbye and close its side before the socket is destroyed: netcat, for one, never closes by itself.
 */
export const DEFAULT_CLOSE_GRACE_MS = 2000;

/** The room everybody starts in. */
export const LOBBY = '#lobby';

/**
 * Bytes of output a connection may have waiting for a slow peer, beyond what the socket itself buffers.
 * Past it the oldest queued chat messages are dropped (and the peer told how many it missed); a peer
 * whose queue cannot be brought under it by dropping messages is disconnected as too slow.
 */
export const DEFAULT_SEND_QUEUE_BYTES = 256 * 1024;

/**
 * A reader that falls behind is catching up for as long as it keeps reading: while at least
 * DEFAULT_HOLD_SHARE of the connections are catching up (a burst), the server holds back new input and
 * TCP slows the senders, so a burst loses nothing. A reader that reads nothing for this many
 * milliseconds is slow: it holds up nobody, and its oldest messages are dropped when its queue is
 * full. 0: never hold input.
 */
export const DEFAULT_CATCH_UP_MS = 250;

/**
 * The share of connections that must be catching up at once for input to be held (and at least two).
 * A reader behind on its own is slow, not a burst: it never holds up anybody else.
 */
export const DEFAULT_HOLD_SHARE = 0.25;

/** Seconds a peer may stay behind (output waiting) before it is disconnected as too slow. */
export const DEFAULT_SLOW_TIMEOUT_SECONDS = 30;

/** Token bucket for incoming frames: sustained frames per second... */
export const DEFAULT_RATE_PER_SECOND = 5;
/** ...and how many may arrive at once, so that pasting a few lines passes. */
export const DEFAULT_BURST = 10;
/** Frames refused for flooding, without the bucket ever filling up again, before the flooder is disconnected. */
export const DEFAULT_FLOOD_DISCONNECT_AFTER = 50;

/** Seconds a new connection has to choose a valid name before it is closed. */
export const DEFAULT_REGISTER_TIMEOUT_SECONDS = 30;

/** Seconds of silence from a JSON client before the server sends it a `ping`. */
export const DEFAULT_PING_INTERVAL_SECONDS = 30;
/** Seconds a JSON client has to answer a `ping` (with any frame) before it is dropped. */
export const DEFAULT_PING_TIMEOUT_SECONDS = 15;

/** TCP keepalive probe delay: finds half-open connections of text clients, who never answer pings. */
export const TCP_KEEPALIVE_MS = 60_000;

/** Most connections the server holds at once; more are told the server is full and closed. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Most connections from one IP address (loopback is exempt unless told otherwise). */
export const DEFAULT_MAX_PER_IP = 20;

/** How often the server checks every connection's timers (registration, heartbeat, slowness). */
export const HOUSEKEEPING_INTERVAL_MS = 250;

/** Messages of each room replayed to a newcomer, marked as history. */
export const DEFAULT_HISTORY_LENGTH = 50;

/** Rooms one user may be in at once: bounds the rooms (and their histories) a user can create. */
export const DEFAULT_MAX_ROOMS_PER_USER = 20;

/**
 * Rooms with more members than this are quiet: nobody is told of each join and leave there (ten
 * thousand joins would otherwise cost fifty million notice lines), and `welcome`/`entered` carry the
 * member count but not the member list. `names` always gives the exact list.
 */
export const DEFAULT_ANNOUNCE_LIMIT = 200;

// --- Clustering through Redis (`chat serve --redis`) ---

/** Prefix of every Redis key of the chat, so that several chats can share one Redis. */
export const DEFAULT_REDIS_PREFIX = 'chat';
/**
 * A node that has not refreshed its liveness key for this long is dead: its users are announced as
 * gone and their names are free again. Bounds how long a crashed node's names stay taken.
 */
export const DEFAULT_NODE_TIMEOUT_SECONDS = 5;
/** Longest wait between attempts to reach Redis again; the wait doubles from 50 ms up to this. */
export const DEFAULT_REDIS_BACKOFF_MAX_MS = 2000;
/** A Redis command not answered within this is failed, and the chat counts as degraded until Redis answers. */
export const DEFAULT_REDIS_TIMEOUT_MS = 3000;
/** How often a node saves the shared snapshot that new nodes start from (and trims the log behind it). */
export const DEFAULT_SNAPSHOT_INTERVAL_SECONDS = 10;
/** Most log entries read from Redis in one round trip. */
export const DEFAULT_REDIS_READ_BATCH = 1000;
