import { isIP } from 'net';

/**
 * Argument checks shared by the commands. Each throws a one-line message that starts with the flag it
 * is about (`chat` prints it as `chat serve: <message>` and adds the environment variable when the
 * value came from one).
 */

export function portNumber(value: number, flag = '--port'): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${flag} must be a whole number from 0 to 65535 (got ${String(value)})`);
  }
  return value;
}

export function positiveInteger(flag: string) {
  return (value: number): number => {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number above 0 (got ${String(value)})`);
    return value;
  };
}

/** A port to connect to: unlike a listening port, 0 means nothing. `what` names it in the message. */
export function serverPort(value: number, what = '--port'): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${what} must be a whole number from 1 to 65535 (got ${String(value)})`);
  }
  return value;
}

/** One DNS label: letters, digits and inner hyphens, at most 63 characters. */
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Longest DNS name, in characters. */
const MAX_HOST_NAME_LENGTH = 253;

/** An address to connect to: an IPv4 or IPv6 address, or a host name. `what` names it in the message. */
export function hostAddress(value: string, what = '--host'): string {
  const host = String(value).trim();
  const bracketless = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bracketless) !== 0) return bracketless;
  const isName = host.length > 0 && host.length <= MAX_HOST_NAME_LENGTH && host.replace(/\.$/, '').split('.').every((label) => HOST_LABEL.test(label));
  if (!isName) {
    throw new Error(`${what} must be an IP address or a host name such as 127.0.0.1 or localhost (got ${JSON.stringify(String(value).slice(0, 80))})`);
  }
  return host;
}

export function positiveNumber(flag: string) {
  return (value: number): number => {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} must be a number above 0 (got ${String(value)})`);
    return value;
  };
}

export function nonNegativeInteger(flag: string) {
  return (value: number): number => {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} must be a whole number, 0 or more (got ${String(value)})`);
    return value;
  };
}

export function shareOfOne(flag: string) {
  return (value: number): number => {
    if (!Number.isFinite(value) || value <= 0 || value > 1) throw new Error(`${flag} must be a number above 0 and at most 1 (got ${String(value)})`);
    return value;
  };
}

/** One of a fixed list of words (yargs' own `choices` message spreads over several lines). */
export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new Error(`${flag} must be one of ${choices.join(', ')} (got ${JSON.stringify(String(value).slice(0, 80))})`);
    return value as T;
  };
}

/** A Redis address: `redis://host:port`, or `rediss://` for TLS, optionally with a password and database. */
export function redisUrl(value: string): string {
  const text = String(value).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--redis must be a URL such as redis://127.0.0.1:6379 (got ${JSON.stringify(text.slice(0, 80))})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`--redis must start with redis:// or rediss:// (got ${JSON.stringify(url.protocol)})`);
  }
  if (url.hostname === '') throw new Error('--redis must name a host, as in redis://127.0.0.1:6379');
  return text;
}

/** A prefix for Redis keys: printable, no spaces. */
export function keyPrefix(value: string): string {
  const text = String(value);
  if (!/^[\x21-\x7e]{1,64}$/.test(text)) throw new Error(`--redis-prefix must be 1 to 64 printable characters without spaces (got ${JSON.stringify(text.slice(0, 80))})`);
  return text;
}
