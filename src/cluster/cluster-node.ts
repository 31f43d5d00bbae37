import { randomBytes } from 'crypto';
import Redis, { RedisOptions } from 'ioredis';
import { Observable, Subscriber } from 'rxjs';
import { ByeEvent, errorEvent, MessageEvent, ServerEvent } from '../protocol/frames';
import {
  DEFAULT_NODE_TIMEOUT_SECONDS,
  DEFAULT_REDIS_BACKOFF_MAX_MS,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_READ_BATCH,
  DEFAULT_REDIS_TIMEOUT_MS,
  DEFAULT_SNAPSHOT_INTERVAL_SECONDS,
} from '../protocol/limits';
import { RoomInput } from '../room/events';
import { InputLog, LogEntry } from '../room/room';
import { ConnId, initialRoomState, RoomState } from '../room/state';
import { Logger, silentLogger } from '../support/logger';
import { withDefaults } from '../support/with-defaults';
import { ClusterKeys, clusterKeys } from './cluster-keys';
import { HistoryStore } from './history-replay';
import { decodeLogEntry, encodeLogEntry } from './log-entry';
import { firstConnId, MAX_NODE_NUMBER, nodeOf } from './node-ids';
import { decodeSnapshot, encodeSnapshot } from './snapshot';
import { compareStreamIds, STREAM_START } from './stream-id';

export interface ClusterOptions {
  /** `redis://host:port` (or `rediss://` for TLS), as ioredis reads it. */
  readonly url: string;
  /** Prefix of every key (`--redis-prefix`). */
  readonly prefix?: string;
  /** A node silent this long is dead and its users leave (`--node-timeout`). */
  readonly nodeTimeoutMs?: number;
  /** Longest wait between reconnection attempts (`--redis-backoff-max-ms`). */
  readonly backoffMaxMs?: number;
  /** A command unanswered this long fails (`--redis-timeout-ms`). */
  readonly commandTimeoutMs?: number;
  /** How often the shared snapshot is saved (`--snapshot-interval`). */
  readonly snapshotIntervalMs?: number;
  /** Most log entries per read (`--redis-read-batch`). */
  readonly readBatch?: number;
  /** The rules this server was started with; the cluster's own, set by its first server, win. */
  readonly rules: ClusterRules;
  readonly log?: Logger;
}

/**
 * Settings every server of a chat must share, because they decide what the shared state becomes: with
 * different room limits, two servers folding the same log would disagree about who is in which room.
 * The first server of a chat stores them in Redis; later ones adopt them.
 */
export interface ClusterRules {
  /** Messages kept per room (`--history`). */
  readonly historyLength: number;
  /** Rooms one user may be in at once (`--max-rooms-per-user`). */
  readonly maxRoomsPerUser: number;
}

/** Joining the cluster failed: Redis cannot be reached or holds data this version cannot read. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** What the cluster needs of the server it runs in: its connections, and the room's state. */
export interface ClusterHost {
  /** The room's state after the last log entry applied (the server keeps it; the node reads it). */
  state(): RoomState;
  /** Sends an event to one local connection, if it is still open. */
  send(id: ConnId, event: ServerEvent): void;
  /** Sends an event to every local connection. */
  broadcast(event: ServerEvent): void;
  /** Every open local connection. */
  ids(): Iterable<ConnId>;
  /** Closes a local connection that the chat no longer counts as in it, saying why. */
  evict(id: ConnId, message: string): void;
}

const DEGRADED_MESSAGE =
  'The chat is degraded: this server cannot reach the shared store (Redis). Nothing you send can be delivered until it is back; it will be refused, not lost silently.';
const RESTORED_MESSAGE = 'The chat is back: messages are delivered again.';
const REFUSED = 'the chat is degraded (the shared store is unreachable): that was not sent; try again when it is back';
const MAYBE_LOST = 'the shared store stopped answering: that may not have been sent';
const EVICTED = 'This server lost touch with the rest of the chat for too long, and you were counted as gone. Reconnect to carry on.';
const RESYNCED = "The chat's shared store lost its data or this server fell behind it, so everyone here has to connect again.";

/** Every tunable of a cluster node; each is a `chat serve` flag (see src/protocol/limits.ts for why). */
const CLUSTER_DEFAULTS = {
  prefix: DEFAULT_REDIS_PREFIX,
  nodeTimeoutMs: DEFAULT_NODE_TIMEOUT_SECONDS * 1000,
  backoffMaxMs: DEFAULT_REDIS_BACKOFF_MAX_MS,
  commandTimeoutMs: DEFAULT_REDIS_TIMEOUT_MS,
  snapshotIntervalMs: DEFAULT_SNAPSHOT_INTERVAL_SECONDS * 1000,
  readBatch: DEFAULT_REDIS_READ_BATCH,
};

/** How often a degraded node looks whether Redis answers again; ioredis does the reconnecting itself. */
const READY_POLL_MS = 100;

/**
 * Saves the snapshot unless a newer one is there; returns [saved (1 or 0), the id it replaced or ''].
 * Ids are compared as numbers, part by part, as Redis orders stream ids.
 */
const SAVE_SNAPSHOT = `
local current = redis.call('HGET', KEYS[1], 'id')
if current then
  local cm, cs = string.match(current, '^(%d+)-(%d+)$')
  local nm, ns = string.match(ARGV[1], '^(%d+)-(%d+)$')
  cm, cs, nm, ns = tonumber(cm), tonumber(cs), tonumber(nm), tonumber(ns)
  if nm < cm or (nm == cm and ns <= cs) then return {0, current} end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', ARGV[2])
return {1, current or ''}
`;

/**
 * Adds a message to a room's history with its message id as the entry id. Every node adds every
 * message; Redis refuses an id that is not above the newest, so each is kept once, and the error is
 * swallowed here rather than sent back as a failure.
 */
const ADD_HISTORY = `
redis.pcall('XADD', KEYS[1], 'MAXLEN', ARGV[1], ARGV[2], 'e', ARGV[3])
return 1
`;

interface Snapshot {
  readonly id: string;
  readonly state: RoomState;
}

type ChatRedis = Redis & {
  saveSnapshot(key: string, id: string, state: string): Promise<[number, string]>;
  addHistory(key: string, maxLength: number, id: string, event: string): Promise<number>;
};

/**
 * One chat process in a cluster. The chat's ordered log is a Redis Stream: every node appends its
 * connections' inputs to it and follows it, folding every entry with the same pure reducer, so every
 * node holds the same state and each delivers to its own connections.
 *
 * - **Names** are unique because the log has one order: of two `hello`s for one name, the first wins
 *   on every node. A node proves it is alive with a key that expires after `nodeTimeoutMs`, refreshed
 *   well before; when a node's key is gone, the others append a leave for each of its users, so its
 *   names are free again within about `nodeTimeoutMs` plus one sweep.
 * - **New nodes** start from a snapshot of the state (saved every `snapshotIntervalMs` by any node, with
 *   the log id it includes) and follow the log after it; the log is trimmed to the previous snapshot.
 * - **Redis down**: the node says so to its users, refuses their commands with `unavailable` (a leave is
 *   kept and sent later), and follows the log again from the last entry it applied once Redis is back,
 *   so nothing is applied, or delivered, twice.
 * - **Redis lost its data** (its epoch token changed), or this node fell behind the trimmed log: the
 *   node cannot know what it missed, so it closes its connections with a goodbye and starts again from
 *   the snapshot; clients reconnect.
 */
export class ClusterNode implements HistoryStore {
  readonly keys: ClusterKeys;
  /** The first connection id of this node. */
  readonly firstConnId: ConnId;
  /** The chat's rules, as stored by its first server. */
  readonly rules: ClusterRules;

  private host?: ClusterHost;
  private entries?: Subscriber<LogEntry>;
  /** The id of the last log entry applied. */
  private lastId: string;
  private lastSnapshotId: string;
  private nextSnapshotAt: number;
  /** The state this node started from (the snapshot), until the room has one of its own. */
  private readonly startState: RoomState;
  private degraded = false;
  /** When Redis last came back (or the node started): no node is judged dead for one timeout after it. */
  private healthySince = Date.now();
  private closed = false;
  /** Leaves that could not be appended while Redis was down, by connection: appended once it is back. */
  private readonly pendingLeaves = new Map<ConnId, RoomInput>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Dead nodes whose users' leaves were appended, and when: retried if they are not applied. */
  private readonly swept = new Map<number, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly blockMs: number;

  private constructor(
    private readonly commands: ChatRedis,
    private readonly tail: ChatRedis,
    readonly node: number,
    private epoch: string,
    snapshot: Snapshot,
    private readonly settings: Required<Omit<ClusterOptions, 'log'>> & { readonly log: Logger },
  ) {
    this.keys = clusterKeys(settings.prefix);
    this.rules = settings.rules;
    this.firstConnId = firstConnId(node);
    this.lastId = this.lastSnapshotId = snapshot.id;
    this.startState = snapshot.state;
    this.nextSnapshotAt = Date.now() + settings.snapshotIntervalMs;
    // Blocking reads wake up well within the command timeout, which would otherwise fail them.
    this.blockMs = Math.max(1, Math.min(1000, Math.floor(settings.commandTimeoutMs / 2)));
    for (const client of [commands, tail]) {
      client.on('close', () => {
        if (!this.closed) this.degrade('lost the connection to Redis');
      });
    }
  }

  /**
   * Connects to Redis and joins the cluster: takes a node number, says it is alive and reads the
   * snapshot. Rejects with a readable error when Redis cannot be reached: a node never starts alone.
   */
  static async connect(options: ClusterOptions): Promise<ClusterNode> {
    const settings = { ...withDefaults(CLUSTER_DEFAULTS, options), url: options.url, rules: options.rules, log: options.log ?? silentLogger };
    const keys = clusterKeys(settings.prefix);
    const commands = createRedis(settings.url, settings, true);
    const tail = createRedis(settings.url, settings, false);
    // ioredis reports why a connection failed in an 'error' event; its promise only says it closed.
    let lastError: Error | undefined;
    for (const [name, client] of [['commands', commands], ['log reader', tail]] as const) {
      client.on('error', (err: Error) => {
        lastError = err;
        settings.log.debug(`redis (${name}): ${err.message}`);
      });
    }
    try {
      await Promise.all([commands.connect(), tail.connect()]);
      const epoch = await ensureEpoch(commands, keys);
      const node = await commands.incr(keys.nodeCounter);
      if (node >= MAX_NODE_NUMBER) throw new Error(`node numbers are used up (${node}); delete ${keys.nodeCounter} once every node is stopped`);
      await commands.set(keys.node(node), String(process.pid), 'PX', settings.nodeTimeoutMs);
      const snapshot = await loadSnapshot(commands, keys);
      const rules = await adoptRules(commands, keys, settings.rules, settings.log);
      settings.log.info(`joined the cluster at ${redactUrl(settings.url)} as node ${node} (${snapshot.state.users.size} users online)`);
      const clusterNode = new ClusterNode(commands, tail, node, epoch, snapshot, { ...settings, rules });
      clusterNode.startTimers();
      return clusterNode;
    } catch (err) {
      commands.disconnect();
      tail.disconnect();
      const why = lastError && /Connection is closed/.test((err as Error).message) ? lastError.message : (err as Error).message;
      throw new RedisUnavailableError(`cannot use Redis at ${redactUrl(settings.url)}: ${why}`);
    }
  }

  /** Tells the cluster how to reach this node's connections; call before the room subscribes to `log`. */
  attach(host: ClusterHost): void {
    this.host = host;
  }

  /** The chat's state after the last entry applied, for sweeps, snapshots and refusals. */
  private get state(): RoomState {
    return this.host?.state() ?? this.startState;
  }

  /**
   * The room's log: this node's inputs are appended to the Redis Stream, and the stream, with every
   * node's inputs, is what the room folds. It starts with the snapshot's state.
   */
  readonly log: InputLog = (local$) =>
    new Observable<LogEntry>((subscriber) => {
      this.entries = subscriber;
      subscriber.next({ type: 'reset', state: this.startState });
      const inputs = local$.subscribe((input) => this.append(input));
      void this.follow();
      return () => {
        inputs.unsubscribe();
        this.entries = undefined;
      };
    });

  private append(input: RoomInput): void {
    if (this.degraded) {
      this.refuse(input, REFUSED);
      return;
    }
    this.track(
      this.commands.xadd(this.keys.log, '*', ...encodeLogEntry(input, this.node)).then(
        () => {},
        () => this.refuse(input, MAYBE_LOST),
      ),
    );
  }

  keep(roomKey: string, message: MessageEvent): void {
    this.track(this.commands.addHistory(this.keys.history(roomKey), this.rules.historyLength, `${message.id}-0`, JSON.stringify(message)).catch(() => {}));
  }

  async recent(roomKey: string, beforeId: number, count: number): Promise<MessageEvent[]> {
    if (beforeId <= 1 || count <= 0) return [];
    // An id without a sequence number as the upper end means every entry of that millisecond: here,
    // message `beforeId - 1` itself.
    const rows = await this.commands.xrevrange(this.keys.history(roomKey), String(beforeId - 1), '-', 'COUNT', count);
    const messages: MessageEvent[] = [];
    for (const [, fields] of rows.reverse()) {
      const message = parseMessage(fields[1]);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** What a connection that arrives now should be told first: that the chat is degraded, or nothing. */
  greeting(): ServerEvent | null {
    return this.degraded ? { type: 'status', degraded: true, message: DEGRADED_MESSAGE } : null;
  }

  /**
   * Leaves the cluster: waits for appends in flight (the leaves of a shutdown), then removes the
   * node's liveness key, so nobody waits out its timeout, and disconnects.
   */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.inFlight]);
    this.closed = true;
    if (!this.degraded) await this.commands.del(this.keys.node(this.node)).catch(() => {});
    this.commands.disconnect();
    this.tail.disconnect();
    this.entries?.complete();
  }

  // --- Following the log -------------------------------------------------------------------------

  /**
   * Reads the log from the last applied entry, for as long as the node runs. Everything that must
   * happen between two reads (recovering after an outage, saving the snapshot) happens here, so the
   * room never sees entries out of order or a reset in the middle of a batch.
   */
  private async follow(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.degraded) await this.recover();
        if (Date.now() >= this.nextSnapshotAt) await this.maintain();
        const reply = (await this.tail.xread('COUNT', this.settings.readBatch, 'BLOCK', this.blockMs, 'STREAMS', this.keys.log, this.lastId)) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        if (reply) this.apply(reply[0][1]);
      } catch (err) {
        if (this.closed) return;
        this.degrade((err as Error).message);
        await delay(READY_POLL_MS);
      }
    }
  }

  private apply(entries: Array<[string, string[]]>): void {
    for (const [id, fields] of entries) {
      this.lastId = id;
      const decoded = decodeLogEntry(fields);
      if ('error' in decoded) {
        this.settings.log.warn(`skipping log entry ${id}: ${decoded.error}`);
        continue;
      }
      const { origin, input } = decoded;
      this.entries?.next(input);
      // Another node said one of ours left: it judged this node dead while it was cut off. The chat
      // no longer counts the user in, so the connection must not carry on as if it did.
      if (input.type === 'disconnect' && origin !== this.node && nodeOf(input.from) === this.node) this.host?.evict(input.from, EVICTED);
    }
  }

  /** Redis answers again: check that it still has our data, catch up, and tell users. */
  private async recover(): Promise<void> {
    if (this.commands.status !== 'ready' || this.tail.status !== 'ready') throw new Error('Redis is not reachable yet');
    const lost = await this.continuityProblem();
    if (lost !== null) await this.startAgain(lost);
    await this.commands.set(this.keys.node(this.node), String(process.pid), 'PX', this.settings.nodeTimeoutMs);
    for (const [id, leave] of this.pendingLeaves) {
      await this.commands.xadd(this.keys.log, '*', ...encodeLogEntry(leave, this.node));
      this.pendingLeaves.delete(id);
    }
    this.degraded = false;
    this.healthySince = Date.now();
    this.settings.log.warn('Redis is back; the chat is no longer degraded');
    // Those who must connect again are told only now, so that they find the server working when they do.
    if (lost !== null) this.evictAll();
    else this.host?.broadcast({ type: 'status', degraded: false, message: RESTORED_MESSAGE });
  }

  /** Saves the snapshot, trims the log behind the previous one, and checks nothing was lost. */
  private async maintain(): Promise<void> {
    this.nextSnapshotAt = Date.now() + this.settings.snapshotIntervalMs;
    const lost = await this.continuityProblem();
    if (lost !== null) {
      await this.startAgain(lost);
      this.evictAll();
      return;
    }
    if (this.lastId === this.lastSnapshotId) return;
    const [saved, previous] = await this.commands.saveSnapshot(this.keys.snapshot, this.lastId, encodeSnapshot(this.state));
    this.lastSnapshotId = this.lastId;
    // Entries before the previous snapshot are needed by nobody: a new node starts from the latest,
    // and a running node is never a whole snapshot interval behind (it would notice below and resync).
    if (saved === 1 && previous !== '') await this.commands.xtrim(this.keys.log, 'MINID', '~', previous);
  }

  /**
   * Why this node can no longer follow the log from where it is (Redis lost its data, or trimmed
   * entries this node had not read), or null when it can.
   */
  private async continuityProblem(): Promise<string | null> {
    const epoch = await this.commands.get(this.keys.epoch);
    if (epoch !== this.epoch) return epoch === null ? 'Redis has lost the chat data' : 'the chat data in Redis was replaced';
    const deleted = await maxDeletedId(this.commands, this.keys.log);
    if (deleted !== null && compareStreamIds(deleted, this.lastId) > 0) return 'this node fell behind the trimmed log';
    return null;
  }

  /**
   * Starts again from the shared snapshot. What this node's users saw can no longer be trusted, so
   * the caller closes their connections (`evictAll`) once the node works again.
   */
  private async startAgain(why: string): Promise<void> {
    this.settings.log.error(`starting again from the shared snapshot: ${why}; this node's connections will be closed`);
    this.pendingLeaves.clear();
    this.epoch = await ensureEpoch(this.commands, this.keys);
    const snapshot = await loadSnapshot(this.commands, this.keys);
    this.lastId = this.lastSnapshotId = snapshot.id;
    this.entries?.next({ type: 'reset', state: snapshot.state });
  }

  private evictAll(): void {
    for (const id of [...(this.host?.ids() ?? [])]) this.host?.evict(id, RESYNCED);
  }

  // --- Liveness ----------------------------------------------------------------------------------

  private startTimers(): void {
    const { nodeTimeoutMs } = this.settings;
    const heartbeat = setInterval(() => {
      if (this.degraded) return;
      this.commands.set(this.keys.node(this.node), String(process.pid), 'PX', nodeTimeoutMs).catch(() => {});
    }, Math.max(1, Math.floor(nodeTimeoutMs / 3)));
    const sweep = setInterval(() => void this.sweep().catch(() => {}), Math.max(1, Math.floor(nodeTimeoutMs / 2)));
    for (const timer of [heartbeat, sweep]) timer.unref();
    this.timers.push(heartbeat, sweep);
  }

  /** Appends a leave for every user of a node whose liveness key has expired. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    // Right after an outage every key may have expired: give the other nodes one timeout to say they live.
    if (this.degraded || now - this.healthySince < this.settings.nodeTimeoutMs) return;
    const usersByNode = new Map<number, ConnId[]>();
    for (const id of this.state.users.keys()) {
      const node = nodeOf(id);
      if (node !== this.node) usersByNode.set(node, [...(usersByNode.get(node) ?? []), id]);
    }
    for (const node of this.swept.keys()) if (!usersByNode.has(node)) this.swept.delete(node);
    for (const [node, ids] of usersByNode) {
      const sweptAt = this.swept.get(node);
      if (sweptAt !== undefined && now - sweptAt < this.settings.nodeTimeoutMs) continue;
      if ((await this.commands.exists(this.keys.node(node))) === 1) continue;
      // Redis may have gone away (and every key expired) while we waited for that answer.
      if (this.degraded || Date.now() - this.healthySince < this.settings.nodeTimeoutMs) return;
      this.settings.log.warn(`node ${node} stopped answering: its ${ids.length} user(s) leave the chat`);
      this.swept.set(node, now);
      for (const from of ids) this.append({ type: 'disconnect', reason: 'disconnect', from, ts: Date.now() });
    }
  }

  // --- Degraded mode -----------------------------------------------------------------------------

  private degrade(why: string): void {
    if (this.degraded || this.closed) return;
    this.degraded = true;
    this.settings.log.warn(`the chat is degraded: ${why}`);
    this.host?.broadcast({ type: 'status', degraded: true, message: DEGRADED_MESSAGE });
  }

  /** What cannot be appended now: a leave waits for Redis, a quit is answered here, the rest is refused. */
  private refuse(input: RoomInput, message: string): void {
    if (this.closed) return;
    if (input.type === 'disconnect') {
      // Only this node's own users' leaves are kept: another node's (from a sweep) may be wrong by the
      // time Redis is back, and is the sweep's to decide again. The first reason given (a quit) stands.
      if (nodeOf(input.from) === this.node && this.state.users.has(input.from) && !this.pendingLeaves.has(input.from)) {
        this.pendingLeaves.set(input.from, input);
      }
      if (!this.degraded) this.degrade('an append failed');
    } else if (input.type === 'quit') {
      // The user is leaving whatever happens: say goodbye here, and keep the leave, as a quit, for later.
      const name = this.state.users.get(input.from)?.name;
      const bye: ByeEvent = { type: 'bye', reason: 'quit', message: name === undefined ? 'Goodbye!' : `Goodbye, ${name}!` };
      this.refuse({ type: 'disconnect', reason: 'quit', from: input.from, ts: input.ts }, message);
      this.host?.send(input.from, bye);
    } else {
      this.host?.send(input.from, errorEvent('unavailable', message));
    }
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}

function createRedis(url: string, settings: { backoffMaxMs: number; commandTimeoutMs: number }, pipelined: boolean): ChatRedis {
  const options: RedisOptions = {
    lazyConnect: true,
    // Commands are refused at once while Redis is away, never queued to run later and surprise anyone.
    enableOfflineQueue: false,
    // A command in flight when the connection dropped may have run: resending could append it twice.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: settings.commandTimeoutMs,
    enableAutoPipelining: pipelined,
    retryStrategy: (attempt) => Math.min(settings.backoffMaxMs, 50 * 2 ** Math.min(attempt, 16)),
  };
  const client = new Redis(url, options) as ChatRedis;
  client.defineCommand('saveSnapshot', { numberOfKeys: 1, lua: SAVE_SNAPSHOT });
  client.defineCommand('addHistory', { numberOfKeys: 1, lua: ADD_HISTORY });
  return client;
}

/** The chat's epoch token, created by the first node to look. */
async function ensureEpoch(redis: Redis, keys: ClusterKeys): Promise<string> {
  await redis.set(keys.epoch, randomBytes(8).toString('hex'), 'NX');
  const epoch = await redis.get(keys.epoch);
  if (epoch === null) throw new Error(`${keys.epoch} vanished as it was set`);
  return epoch;
}

/** The chat's rules: stored by the first server, adopted (with a warning where they differ) by the rest. */
async function adoptRules(redis: Redis, keys: ClusterKeys, mine: ClusterRules, log: Logger): Promise<ClusterRules> {
  await redis.set(keys.rules, JSON.stringify(mine), 'NX');
  const stored = await redis.get(keys.rules);
  let rules: ClusterRules;
  try {
    const value = JSON.parse(stored ?? '') as Partial<ClusterRules>;
    if (!Number.isSafeInteger(value.historyLength) || value.historyLength! < 0 || !Number.isSafeInteger(value.maxRoomsPerUser) || value.maxRoomsPerUser! < 1) {
      throw new Error('missing or invalid fields');
    }
    rules = { historyLength: value.historyLength!, maxRoomsPerUser: value.maxRoomsPerUser! };
  } catch (err) {
    throw new Error(`the rules in ${keys.rules} cannot be read (${(err as Error).message}): ${String(stored).slice(0, 80)}`, { cause: err });
  }
  if (rules.historyLength !== mine.historyLength || rules.maxRoomsPerUser !== mine.maxRoomsPerUser) {
    log.warn(
      `this chat's servers share --history ${rules.historyLength} and --max-rooms-per-user ${rules.maxRoomsPerUser}, set by its first server; ` +
        `using those, not ${mine.historyLength} and ${mine.maxRoomsPerUser}. To change them, stop every server and delete ${keys.rules}.`,
    );
  }
  return rules;
}

async function loadSnapshot(redis: Redis, keys: ClusterKeys): Promise<Snapshot> {
  const [id, state] = await redis.hmget(keys.snapshot, 'id', 'state');
  if (id === null || state === null) return { id: STREAM_START, state: initialRoomState };
  try {
    return { id, state: decodeSnapshot(state) };
  } catch (err) {
    throw new Error(`the snapshot in ${keys.snapshot} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** The newest id trimmed from a stream (Redis 7), or null when nothing was or Redis does not say. */
async function maxDeletedId(redis: Redis, key: string): Promise<string | null> {
  let info: unknown[];
  try {
    info = (await redis.xinfo('STREAM', key)) as unknown[];
  } catch (err) {
    if (/no such key/i.test((err as Error).message)) return null;
    throw err;
  }
  const at = info.indexOf('max-deleted-entry-id');
  const value = at >= 0 ? info[at + 1] : null;
  return typeof value === 'string' && value !== STREAM_START ? value : null;
}

function parseMessage(text: string | undefined): MessageEvent | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as Partial<MessageEvent>;
    const valid =
      value?.type === 'message' && typeof value.from === 'string' && typeof value.text === 'string' && typeof value.ts === 'number' && typeof value.id === 'number';
    return valid ? (value as MessageEvent) : null;
  } catch {
    return null;
  }
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
