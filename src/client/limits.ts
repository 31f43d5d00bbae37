/**
 * Every tunable of the client, in one place. The ones a person may want to change have a
 * `chat join` flag (see src/cli/join.ts); the rest protect the client from a misbehaving server.
 */

/** First wait before reconnecting after the connection is lost. */
export const DEFAULT_RECONNECT_DELAY_MS = 250;

/**
 * Longest wait between reconnection attempts. The wait doubles after each failed attempt up to this,
 * so a client left running while the server is down tries a few times a minute, not hundreds.
 */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 5000;

/**
 * How long `quit()` waits for the server's goodbye before closing anyway: long enough for a normal
 * round trip, short enough that a dead server does not keep a person from their shell.
 */
export const DEFAULT_GOODBYE_WAIT_MS = 1000;

/** A TCP connect that has not completed by then (a silently dropped SYN) counts as failed. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Longest line the client accepts from the server. Larger than the server's own client limit because a
 * `welcome` lists every user; still bounded so a hostile server cannot make the client buffer forever.
 */
export const MAX_SERVER_FRAME_BYTES = 1024 * 1024;

/**
 * Messages said while the connection is down wait here and are sent once the client is registered
 * again. Bounded: a program that keeps saying things to a dead server must not grow without limit.
 */
export const OUTBOX_LIMIT = 100;

/** Lines of chat the terminal UI keeps for scrolling back; older lines are dropped. */
export const DEFAULT_SCROLLBACK_LINES = 5000;

/** Lines typed in the UI that Up/Down can bring back. */
export const INPUT_HISTORY_LIMIT = 500;

/** Lines one mouse-wheel step scrolls the message pane. */
export const WHEEL_SCROLL_LINES = 3;

/**
 * Pace of outgoing frames: kept under the server's default flood limit (5 per second, bursts of 10),
 * so a program or a paste that says many lines at once is slowed down here instead of being refused
 * (and finally disconnected) there.
 */
export const SEND_RATE_PER_SECOND = 4;
/** Frames that may leave at once before the pace applies. */
export const SEND_BURST = 8;

/**
 * Silence after which the client asks the server whether it is still there (`ping`), and then how
 * long it waits for any answer before it treats the connection as lost and reconnects. The server
 * pings a quiet client every 30 s, so a healthy connection is never this quiet.
 */
export const HEARTBEAT_IDLE_MS = 40_000;

/**
 * Largest CA file `--ca` reads. A bundle of every public CA is about 200 KiB; the bound keeps a
 * mistaken `--ca /dev/zero` or a huge log file from being read into memory.
 */
export const MAX_CA_FILE_BYTES = 4 * 1024 * 1024;
