/**
 * Every tunable limit of the protocol and the server, in one place. Each one has a `chat serve` flag
 * (see src/cli/serve-options.ts) so an operator can change it without editing code.
 */

/** Longest frame (one line, without its newline) a peer may send. Checked while buffering. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024;

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

/** The name of the room everybody starts in. */
export const LOBBY = 'lobby';
