/**
 * The Redis keys of one chat. Every key starts with the prefix (`--redis-prefix`), so several chats,
 * or several test runs, can share one Redis.
 */
export interface ClusterKeys {
  /** Stream: the ordered log of every input of the chat. */
  readonly log: string;
  /** Hash: the latest snapshot of the chat's state (`id`, the log entry it includes, and `state`). */
  readonly snapshot: string;
  /** String: a random token set when the chat's data was created; a new one means the data was lost. */
  readonly epoch: string;
  /** String: the rules every server of the chat shares (JSON of ClusterRules). */
  readonly rules: string;
  /** Counter: the last node number handed out. */
  readonly nodeCounter: string;
  /** String with an expiry: node `n` is alive while its key exists. */
  node(n: number): string;
  /** Stream: the last messages of one room, by room key, with message ids as entry ids. */
  history(roomKey: string): string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    log: `${prefix}:log`,
    snapshot: `${prefix}:snapshot`,
    epoch: `${prefix}:epoch`,
    rules: `${prefix}:rules`,
    nodeCounter: `${prefix}:nodes`,
    node: (n) => `${prefix}:node:${n}`,
    history: (roomKey) => `${prefix}:history:${roomKey}`,
  };
}
