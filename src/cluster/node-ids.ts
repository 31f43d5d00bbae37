import { ConnId } from '../room/state';

/**
 * Connection ids are unique across a cluster: the high bits say which node (chat process) a connection
 * lives on, the low bits count that node's connections. Node numbers come from a Redis counter and are
 * never reused, so an id can never name two connections, even after a node restarts. A single process
 * is node 0, so its ids are the plain counter 1, 2, 3, ...
 *
 * 2^32 connections per node and 2^20 nodes keep every id a safe integer (below 2^53).
 */
const CONNECTIONS_PER_NODE = 2 ** 32;

/** The most nodes a cluster can number. */
export const MAX_NODE_NUMBER = 2 ** 20;

/** The first connection id of a node. */
export function firstConnId(node: number): ConnId {
  return node * CONNECTIONS_PER_NODE + 1;
}

/** The node a connection lives on. */
export function nodeOf(id: ConnId): number {
  return Math.floor(id / CONNECTIONS_PER_NODE);
}

/** `#7` in a single process, `#3.7` on node 3 of a cluster: short enough for a log line. */
export function describeConnId(id: ConnId): string {
  const node = nodeOf(id);
  const local = id - node * CONNECTIONS_PER_NODE;
  return node === 0 ? `#${local}` : `#${node}.${local}`;
}
