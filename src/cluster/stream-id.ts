/**
 * Redis Stream entry ids (`<milliseconds>-<sequence>`), compared as Redis compares them. The parts are
 * compared as numbers: as strings, `"999-0"` would sort after `"1000-0"`.
 */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = parseStreamId(a);
  const [bMs, bSeq] = parseStreamId(b);
  return aMs !== bMs ? Math.sign(aMs - bMs) : Math.sign(aSeq - bSeq);
}

/** The id before every entry: reading "after" it reads a stream from its start. */
export const STREAM_START = '0-0';

function parseStreamId(id: string): [number, number] {
  const dash = id.indexOf('-');
  // A bare number (`"5"`) is `5-0`, as Redis reads it where a full id is expected.
  return dash < 0 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
