/**
 * The load generator: runs one scenario against one server and reports what it measured.
 *
 * It runs in a process of its own (forked by run.ts, which sends it a `LoadRequest` and receives a
 * `LoadResult`), so that its CPU is not the server's and both can be measured apart; it reads the
 * server's CPU and memory from /proc. A server may be several processes (the nodes of a cluster):
 * client `i` then connects to node `i mod nodes`, so that senders and receivers are on every node, and
 * the nodes' CPU and memory are summed; the Redis they share is measured apart.
 *
 * Phases: connect every client (in batches) and send its name; a barrier makes sure every client is
 * registered; the server's idle memory is read; stalled readers stop reading; the senders send; every
 * receiver checks that every message arrives exactly once, in order and intact, until all have
 * everything or the deadline passes.
 */
import { connect, Socket } from 'net';
import { performance } from 'perf_hooks';
import { clientName, LineKind, MAX_CLIENTS, MAX_MESSAGES, MessageCodec, ParsedMessage, syncLine } from './payload';
import { countTotalOpenFiles, MemoryKiB, readCpuSeconds, readMemoryKiB, readTotalCpuSeconds, readTotalMemoryKiB } from './proc-stats';
import type { Scenario } from './scenarios';

const HOST = '127.0.0.1';

/** Connections opened at once. */
const CONNECT_BATCH = 200;

/**
 * Node's listen backlog (the kernel's accept queue). A connect completes as soon as the kernel has
 * queued it, accepted or not, so the generator counts the server's open files to see how many it has
 * accepted, and starts a batch only when the batch fits in the queue: an overflow drops SYNs, which
 * the kernel retries a second later, and the connect phase would measure that rather than the server.
 */
const ACCEPT_BACKLOG = 511;

/** How often the server's accepted connections are counted while waiting for room in its accept queue. */
const ACCEPT_POLL_MS = 5;

/**
 * When the barrier's sync line is sent again while some clients have not seen one yet: soon at first
 * (a sync often overtakes the last names on their way to the server), then less and less often, so
 * that a server busy with ten thousand joins is not flooded with syncs as well.
 */
const SYNC_FIRST_RETRY_MS = 20;
const SYNC_MAX_RETRY_MS = 1000;

/** Latency samples kept at most (8 bytes each); past this, a uniform sample of them is kept. */
const MAX_LATENCY_SAMPLES = 4_000_000;

/**
 * After the measurement, stalled readers read again, until the server has closed them or has sent
 * nothing for `STALLED_QUIET_MS`, for `STALLED_DRAIN_MS` at most: this shows what the server did to them.
 */
const STALLED_QUIET_MS = 500;
const STALLED_DRAIN_MS = 5000;

/** Unexpected, corrupt or error lines quoted in the report, at most, and how much of each. */
const MAX_EXAMPLES = 5;
const EXAMPLE_LENGTH = 160;

export interface LoadRequest {
  readonly type: 'run';
  readonly scenario: Scenario;
  /** Where the server listens: one port, or one per node of a cluster (client `i` connects to `ports[i % ports.length]`). */
  readonly ports: readonly number[];
  /** The server's processes (one, or every node), whose CPU and memory are read from /proc and summed. */
  readonly serverPids: readonly number[];
  /** The redis-server a cluster's nodes share, measured apart from them; absent for a single process. */
  readonly redisPid?: number;
  /**
   * How the server's notice that a name was taken starts, for a server that sends one. The barrier's
   * first sync then waits for it: a text-mode line sent before the welcome is taken as another name,
   * and in a cluster the welcome comes back only after a round trip through Redis.
   */
  readonly welcomePrefix?: string;
}

/** CPU of a process over the phases of a run, as in `LoadResult.serverCpu`. */
export interface PhaseCpu {
  /** CPU seconds spent while the clients connected and registered. */
  readonly joinSeconds: number;
  /** CPU seconds spent while messages were sent and received. */
  readonly sendSeconds: number;
  /** `sendSeconds` as a percentage of one core over the send phase (several processes can pass 100%). */
  readonly sendPercent: number;
}

/** Resident memory over a run, in KiB, as in `LoadResult.serverMemoryKiB`. */
export interface PhaseMemoryKiB {
  /** Before any client connected. */
  readonly baseline: number;
  /** With every client connected and registered, before any message. */
  readonly idle: number;
  /** When the scenario ended. */
  readonly end: number;
  /** The highest resident size the process reached (VmHWM); for several processes, the sum of their peaks. */
  readonly peak: number;
}

export interface LoadResult {
  /** True when every receiver got every message exactly once, in order and intact, before the deadline. */
  readonly ok: boolean;
  /** Why it is not ok, one reason per entry. */
  readonly failures: string[];
  readonly clients: { readonly wanted: number; readonly connected: number; readonly registered: number; readonly stalled: number };
  readonly timingsMs: {
    /** From the first connect to the last client connected. */
    readonly connect: number;
    /** From the first connect until every client had been seen registered by the barrier. */
    readonly join: number;
    /** From the first message sent to the last one received (or to the deadline). */
    readonly send: number;
  };
  readonly deliveries: {
    /** Messages times the receivers that must get them (stalled readers are not receivers). */
    readonly expected: number;
    /** Distinct messages received intact. */
    readonly delivered: number;
    readonly lost: number;
    readonly duplicates: number;
    /** Messages that arrived after a later message from the same sender. */
    readonly outOfOrder: number;
    readonly corrupt: number;
    readonly perSecond: number;
  };
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  /** Lines that are not bench messages, by kind. `notices` includes joined/left lines: O(n²) joins show here. */
  readonly otherLines: {
    readonly notices: number;
    readonly errors: number;
    /** Notices that messages were dropped, to readers that are not stalled. */
    readonly gaps: number;
    readonly unexpected: number;
    readonly sync: number;
    /** History replayed to newcomers (sync lines, since nothing else is sent before everyone has joined). */
    readonly history: number;
    readonly examples: string[];
  };
  /**
   * What became of the clients that stopped reading, seen when they read again after the measurement:
   * messages they still got, notices of dropped messages, and whether the server had cut them off.
   */
  readonly stalled: { readonly clients: number; readonly messages: number; readonly gapNotices: number; readonly disconnectedByServer: number };
  /** The server's CPU: every node's summed, for a cluster. */
  readonly serverCpu: PhaseCpu;
  /** The generator's own CPU over the send phase: near 100% means it, not the server, was the limit. */
  readonly generatorCpu: { readonly sendSeconds: number; readonly sendPercent: number };
  /** The server's memory: every node's summed, for a cluster. */
  readonly serverMemoryKiB: PhaseMemoryKiB & {
    /** (idle − baseline) / clients. */
    readonly perConnection: number;
  };
  /** Server processes measured: 1, or the nodes of a cluster. */
  readonly serverProcesses: number;
  /** Each node's own send-phase CPU and peak memory, when there are several, to show how evenly they were loaded. */
  readonly perNode?: { readonly sendSeconds: number; readonly peakKiB: number }[];
  /** The cluster's Redis, measured over the same phases; absent for a single process. */
  readonly redis?: { readonly cpu: PhaseCpu; readonly memoryKiB: PhaseMemoryKiB };
}

export type LoadMessage = { readonly type: 'progress'; readonly message: string } | { readonly type: 'result'; readonly result: LoadResult };

/** Thrown when the scenario's deadline passes; the phase it passed in goes into the report. */
class DeadlineError extends Error {}

/** One TCP client and what it has received. */
interface BenchClient {
  readonly index: number;
  readonly socket: Socket;
  /** The start of a line whose newline has not arrived yet. */
  partial: string;
  synced: boolean;
  /** Has seen the server's welcome (only looked for when the request gives its prefix). */
  welcomed: boolean;
  /** Set when it stops reading; its lines are then not counted as deliveries. */
  stalled: boolean;
  /** Set when a stalled reader reads again after the measurement. */
  draining: boolean;
  closed: boolean;
  lastDataAt: number;
  /** 1 at `sender * messages + seq` once that message has arrived. */
  received: Uint8Array;
  /** The sequence number expected next from each sender, to see reordering. */
  nextSeq: Int32Array;
  delivered: number;
  /** Messages the server said it dropped for this client. */
  missed: number;
  /** Has everything, or everything it will get (the rest announced as dropped). */
  done: boolean;
}

/** Resolves waits when a condition becomes true; `notify` is called whenever the state it reads changes. */
class ConditionWaiter {
  private waiting?: { check: () => boolean; resolve: (met: boolean) => void };

  /** True once `check()` holds, false if `timeoutMs` passes first. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(false);
      }, Math.max(0, timeoutMs));
      this.waiting = {
        check,
        resolve: (met) => {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve(met);
        },
      };
    });
  }

  notify(): void {
    if (this.waiting?.check()) this.waiting.resolve(true);
  }
}

export async function runLoad(request: LoadRequest, progress: (message: string) => void): Promise<LoadResult> {
  const { scenario, ports, serverPids, redisPid, welcomePrefix } = request;
  if (ports.length === 0 || ports.length !== serverPids.length) throw new Error(`${ports.length} ports for ${serverPids.length} server processes`);
  const { clients: wanted, senders, messages, stalledReaders = 0 } = scenario;
  checkScenario(scenario);

  const codec = new MessageCodec(scenario.bytes);
  const receivers = wanted - stalledReaders;
  const perReceiver = senders * messages;
  const expected = receivers * perReceiver;
  const startedAt = performance.now();
  const deadlineAt = startedAt + scenario.deadlineMs;
  const failures: string[] = [];
  const examples: string[] = [];
  const waiter = new ConditionWaiter();
  const parsed: ParsedMessage = { sender: 0, seq: 0, sentMicros: 0, missed: 0 };

  const clients: BenchClient[] = [];
  const latencies = new Float64Array(Math.min(expected, MAX_LATENCY_SAMPLES));
  let latencyCount = 0;
  let delivered = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let corrupt = 0;
  let notices = 0;
  let errors = 0;
  let gaps = 0;
  let history = 0;
  let stalledMessages = 0;
  let stalledGaps = 0;
  let unexpected = 0;
  let syncLines = 0;
  let synced = 0;
  let receiversDone = 0;
  let firstSendAt = 0;
  let lastReceiveAt = 0;
  let socketErrors = 0;
  let closedEarly = 0;
  let finished = false;

  function remember(kind: string, data: string, start: number, end: number): void {
    if (examples.length < MAX_EXAMPLES) examples.push(`${kind}: ${JSON.stringify(data.slice(start, Math.min(end, start + EXAMPLE_LENGTH)))}`);
  }

  function onLine(client: BenchClient, data: string, start: number, end: number, now: number): void {
    const kind = codec.parse(data, start, end, senders, messages, parsed);
    if (client.stalled) {
      if (kind === LineKind.Message) stalledMessages++;
      else if (kind === LineKind.Gap) stalledGaps++;
      return;
    }
    switch (kind) {
      case LineKind.Message: {
        const slot = parsed.sender * messages + parsed.seq;
        if (client.received[slot] === 1) {
          duplicates++;
          return;
        }
        client.received[slot] = 1;
        // A gap (a later message first) is not counted here: the missing ones show up as lost, or,
        // when they come later, as out of order.
        if (parsed.seq < client.nextSeq[parsed.sender]) outOfOrder++;
        else client.nextSeq[parsed.sender] = parsed.seq + 1;
        delivered++;
        lastReceiveAt = now;
        recordLatency(now - parsed.sentMicros / 1000);
        client.delivered++;
        checkDone(client);
        return;
      }
      case LineKind.Sync:
        syncLines++;
        if (!client.synced) {
          client.synced = true;
          if (++synced === wanted) waiter.notify();
        }
        return;
      case LineKind.Notice:
        notices++;
        if (welcomePrefix && !client.welcomed && data.startsWith(welcomePrefix, start)) {
          client.welcomed = true;
          waiter.notify();
        }
        return;
      case LineKind.History:
        history++;
        return;
      case LineKind.Gap:
        gaps++;
        remember('gap', data, start, end);
        // Dropped messages never come: counting them lets the run end now rather than at the deadline.
        client.missed += parsed.missed;
        checkDone(client);
        return;
      case LineKind.Error:
        errors++;
        remember('error', data, start, end);
        return;
      case LineKind.Corrupt:
        corrupt++;
        remember('corrupt', data, start, end);
        return;
      case LineKind.Unexpected:
        unexpected++;
        remember('unexpected', data, start, end);
        return;
    }
  }

  function checkDone(client: BenchClient): void {
    if (client.done || client.delivered + client.missed < perReceiver) return;
    client.done = true;
    if (++receiversDone === receivers) waiter.notify();
  }

  function recordLatency(ms: number): void {
    if (latencyCount < latencies.length) {
      latencies[latencyCount++] = ms;
    } else {
      // Reservoir sampling keeps a uniform sample once the buffer is full.
      const slot = Math.floor(Math.random() * (delivered + 1));
      if (slot < latencies.length) latencies[slot] = ms;
    }
  }

  function onData(client: BenchClient, chunk: string): void {
    const now = performance.now();
    client.lastDataAt = now;
    if (finished && !client.draining) return;
    const data = client.partial.length > 0 ? client.partial + chunk : chunk;
    let start = 0;
    let newline: number;
    while ((newline = data.indexOf('\n', start)) !== -1) {
      const end = newline > start && data.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      onLine(client, data, start, end, now);
      start = newline + 1;
    }
    client.partial = start < data.length ? data.slice(start) : '';
  }

  function open(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port: ports[index % ports.length] });
      const client: BenchClient = {
        index,
        socket,
        partial: '',
        synced: false,
        welcomed: false,
        stalled: false,
        draining: false,
        closed: false,
        lastDataAt: 0,
        received: new Uint8Array(perReceiver),
        nextSeq: new Int32Array(senders),
        delivered: 0,
        missed: 0,
        done: false,
      };
      // Bench lines are ASCII: latin1 decodes any byte, so corruption shows up in the check, not as an exception.
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => onData(client, chunk));
      socket.once('connect', () => {
        socket.setNoDelay(true);
        clients.push(client);
        socket.write(`${clientName(index)}\n`);
        resolve();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // A stalled reader may be cut off by a server that protects itself: reported apart, not a failure.
        if (finished || client.stalled) return;
        socketErrors++;
        if (examples.length < MAX_EXAMPLES) examples.push(`socket error on ${clientName(index)}: ${err.code ?? err.message}`);
        reject(err);
      });
      socket.on('close', () => {
        client.closed = true;
        if (!finished && !client.stalled) closedEarly++;
      });
    });
  }

  function beforeDeadline<T>(promise: Promise<T>, phase: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DeadlineError(phase)), Math.max(0, deadlineAt - performance.now()));
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  async function connectAll(): Promise<void> {
    // With several nodes the count is their total: no single node can have more waiting than all of them.
    const filesBefore = countTotalOpenFiles(serverPids);
    const unaccepted = () => clients.length - (countTotalOpenFiles(serverPids) - filesBefore);
    for (let first = 0; first < wanted; first += CONNECT_BATCH) {
      while (unaccepted() > ACCEPT_BACKLOG - CONNECT_BATCH) {
        if (performance.now() >= deadlineAt) throw new DeadlineError(`connect (${clients.length - unaccepted()}/${wanted} accepted)`);
        await sleep(ACCEPT_POLL_MS);
      }
      const batch: Promise<void>[] = [];
      for (let index = first; index < Math.min(wanted, first + CONNECT_BATCH); index++) batch.push(open(index));
      await beforeDeadline(Promise.all(batch), `connect (${clients.length}/${wanted} connected)`);
    }
  }

  /** Every client registered: client 0 broadcasts a sync line until every client has received one. */
  async function barrier(): Promise<void> {
    if (welcomePrefix && !(await waiter.until(() => clients[0].welcomed, deadlineAt - performance.now()))) {
      throw new DeadlineError(`join (${clientName(clients[0].index)} was never welcomed)`);
    }
    let retryMs = SYNC_FIRST_RETRY_MS;
    for (let round = 0; synced < wanted; round++) {
      if (performance.now() >= deadlineAt) throw new DeadlineError(`join (${synced}/${wanted} registered)`);
      clients[0].socket.write(syncLine(round));
      await waiter.until(() => synced === wanted, Math.min(retryMs, deadlineAt - performance.now()));
      retryMs = Math.min(retryMs * 2, SYNC_MAX_RETRY_MS);
    }
  }

  /** Stalled readers read what is waiting for them, until closed or quiet. */
  async function drain(stalled: BenchClient[]): Promise<void> {
    const drainStart = performance.now();
    for (const client of stalled) {
      client.draining = true;
      client.lastDataAt = drainStart;
      client.socket.resume();
    }
    const settled = () => stalled.every((client) => client.closed || performance.now() - client.lastDataAt >= STALLED_QUIET_MS);
    while (!settled() && performance.now() - drainStart < STALLED_DRAIN_MS) await sleep(50);
  }

  function micros(): number {
    return Math.round(performance.now() * 1000);
  }

  async function sendBurst(client: BenchClient): Promise<void> {
    for (let seq = 0; seq < messages && !finished; seq++) {
      if (!client.socket.write(codec.encode(client.index, seq, micros()))) {
        await new Promise<void>((resolve) => client.socket.once('drain', resolve));
      }
    }
  }

  function sendAtRate(client: BenchClient, rate: number): void {
    const periodMs = 1000 / rate;
    // Senders are spread over one period so that they do not all fire in the same millisecond.
    const firstAt = performance.now() + (client.index / senders) * periodMs;
    let seq = 0;
    const tick = () => {
      if (finished) return;
      client.socket.write(codec.encode(client.index, seq, micros()));
      seq++;
      if (seq < messages) setTimeout(tick, Math.max(0, firstAt + seq * periodMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, firstAt - performance.now()));
  }

  const baseline = readTotalMemoryKiB(serverPids);
  const cpuAtStart = readTotalCpuSeconds(serverPids);
  const redisWatch = redisPid === undefined ? undefined : watchProcess(redisPid);
  let idle: MemoryKiB = baseline;
  let nodeCpuAtSend: number[] = [];
  let nodeSendSeconds: number[] = [];
  let connectedAt = NaN;
  let joinedAt = NaN;
  let cpuAtJoin = NaN;
  let cpuAtSend = NaN;
  let generatorAtSend: NodeJS.CpuUsage | undefined;
  let sendEndedAt: number; // set in the finally below, whatever happens
  let serverSendSeconds = 0;
  let generatorSendSeconds = 0;

  try {
    progress(`connecting ${wanted} clients`);
    await connectAll();
    connectedAt = performance.now();
    progress(`connected in ${Math.round(connectedAt - startedAt)} ms; waiting until all are registered`);
    await barrier();
    joinedAt = performance.now();
    cpuAtJoin = readTotalCpuSeconds(serverPids);
    redisWatch?.joined();
    progress(`all registered after ${Math.round(joinedAt - startedAt)} ms`);

    if (scenario.settleMs) await beforeDeadline(sleep(scenario.settleMs), 'settle');
    idle = readTotalMemoryKiB(serverPids);
    redisWatch?.idle();

    for (const client of clients.filter((client) => client.index >= wanted - stalledReaders)) {
      client.stalled = true;
      client.socket.pause();
    }

    progress(`sending ${senders} × ${messages} messages of ${scenario.bytes} bytes${scenario.rate ? ` at ${scenario.rate}/s` : ''}`);
    cpuAtSend = readTotalCpuSeconds(serverPids);
    nodeCpuAtSend = serverPids.map(readCpuSeconds);
    redisWatch?.sending();
    generatorAtSend = process.cpuUsage();
    firstSendAt = performance.now();
    const senderClients = clients.filter((client) => client.index < senders);
    if (scenario.rate) for (const client of senderClients) sendAtRate(client, scenario.rate);
    else for (const client of senderClients) void sendBurst(client);
    const complete = await waiter.until(() => receiversDone === receivers, deadlineAt - performance.now());
    if (!complete) throw new DeadlineError(`send (${delivered}/${expected} delivered)`);
  } catch (err) {
    if (err instanceof DeadlineError) failures.push(`deadline of ${scenario.deadlineMs / 1000} s passed during ${err.message}`);
    else failures.push(`failed: ${(err as Error).message}`);
  } finally {
    finished = true;
    sendEndedAt = performance.now();
    if (generatorAtSend) {
      const used = process.cpuUsage(generatorAtSend);
      generatorSendSeconds = (used.user + used.system) / 1e6;
      serverSendSeconds = readTotalCpuSeconds(serverPids) - cpuAtSend;
      nodeSendSeconds = serverPids.map((pid, node) => readCpuSeconds(pid) - nodeCpuAtSend[node]);
      redisWatch?.sent();
    }
  }

  const end = readTotalMemoryKiB(serverPids);
  const redisEnd = redisWatch?.end();
  const stalled = clients.filter((client) => client.stalled);
  if (stalled.length > 0) {
    progress(`letting the ${stalled.length} stalled reader(s) read again`);
    await drain(stalled);
  }
  const lost = expected - delivered;
  if (lost > 0) failures.push(`${lost} of ${expected} deliveries missing`);
  if (duplicates > 0) failures.push(`${duplicates} duplicate deliveries`);
  if (outOfOrder > 0) failures.push(`${outOfOrder} deliveries out of order`);
  if (gaps > 0) failures.push(`${gaps} notices of dropped messages`);
  if (corrupt > 0) failures.push(`${corrupt} corrupt lines`);
  if (errors > 0) failures.push(`${errors} error lines from the server`);
  if (unexpected > 0) failures.push(`${unexpected} unexpected lines`);
  if (socketErrors > 0) failures.push(`${socketErrors} socket errors`);
  if (closedEarly > 0) failures.push(`${closedEarly} connections closed by the server`);

  const sendMs = firstSendAt > 0 ? (lastReceiveAt > firstSendAt && lost === 0 ? lastReceiveAt : sendEndedAt) - firstSendAt : 0;
  const sendWallSeconds = firstSendAt > 0 ? (sendEndedAt - firstSendAt) / 1000 : 0;
  const percent = (seconds: number) => (sendWallSeconds > 0 ? round((seconds / sendWallSeconds) * 100) : 0);

  return {
    ok: failures.length === 0,
    failures,
    clients: { wanted, connected: clients.length, registered: synced, stalled: stalledReaders },
    timingsMs: {
      connect: round(elapsed(startedAt, connectedAt)),
      join: round(elapsed(startedAt, joinedAt)),
      send: round(sendMs),
    },
    deliveries: {
      expected,
      delivered,
      lost,
      duplicates,
      outOfOrder,
      corrupt,
      perSecond: sendMs > 0 ? Math.round(delivered / (sendMs / 1000)) : 0,
    },
    latencyMs: latencyCount > 0 ? percentiles(latencies.subarray(0, latencyCount)) : null,
    otherLines: { notices, errors, gaps, unexpected, sync: syncLines, history, examples },
    stalled: {
      clients: stalledReaders,
      messages: stalledMessages,
      gapNotices: stalledGaps,
      disconnectedByServer: stalled.filter((client) => client.closed).length,
    },
    serverCpu: {
      joinSeconds: round(Number.isNaN(cpuAtJoin) ? readTotalCpuSeconds(serverPids) - cpuAtStart : cpuAtJoin - cpuAtStart),
      sendSeconds: round(serverSendSeconds),
      sendPercent: percent(serverSendSeconds),
    },
    generatorCpu: { sendSeconds: round(generatorSendSeconds), sendPercent: percent(generatorSendSeconds) },
    serverMemoryKiB: {
      baseline: baseline.rss,
      idle: idle.rss,
      end: end.rss,
      peak: end.peak,
      perConnection: idle === baseline ? NaN : round((idle.rss - baseline.rss) / wanted),
    },
    serverProcesses: serverPids.length,
    ...(serverPids.length > 1
      ? { perNode: serverPids.map((pid, node) => ({ sendSeconds: round(nodeSendSeconds[node] ?? 0), peakKiB: readMemoryKiB(pid).peak })) }
      : {}),
    ...(redisEnd ? { redis: { cpu: { ...redisEnd.cpu, sendPercent: percent(redisEnd.cpu.sendSeconds) }, memoryKiB: redisEnd.memoryKiB } } : {}),
  };
}

/**
 * Reads one process's CPU and memory at the same points of the run as the server's. A phase the run
 * never reached counts from the last point it did reach, as the server's figures do.
 */
function watchProcess(pid: number) {
  const memoryAtStart = readMemoryKiB(pid).rss;
  const cpuAtStart = readCpuSeconds(pid);
  let cpuAtJoin = NaN;
  let cpuAtSend = NaN;
  let sendSeconds = 0;
  let idle = memoryAtStart;
  return {
    joined: () => void (cpuAtJoin = readCpuSeconds(pid)),
    idle: () => void (idle = readMemoryKiB(pid).rss),
    sending: () => void (cpuAtSend = readCpuSeconds(pid)),
    sent: () => void (sendSeconds = readCpuSeconds(pid) - cpuAtSend),
    end: () => {
      const memory = readMemoryKiB(pid);
      return {
        cpu: { joinSeconds: round((Number.isNaN(cpuAtJoin) ? readCpuSeconds(pid) : cpuAtJoin) - cpuAtStart), sendSeconds: round(sendSeconds) },
        memoryKiB: { baseline: memoryAtStart, idle, end: memory.rss, peak: memory.peak },
      };
    },
  };
}

function checkScenario({ name, clients, senders, messages, stalledReaders = 0, rate }: Scenario): void {
  const problem =
    !Number.isInteger(clients) || clients < 1 || clients > MAX_CLIENTS ? `clients must be 1..${MAX_CLIENTS}`
    : !Number.isInteger(senders) || senders < 1 ? 'senders must be at least 1'
    : !Number.isInteger(messages) || messages < 1 || messages > MAX_MESSAGES ? `messages must be 1..${MAX_MESSAGES}`
    : !Number.isInteger(stalledReaders) || stalledReaders < 0 ? 'stalledReaders must be 0 or more'
    : senders + stalledReaders > clients ? 'senders and stalled readers must be different clients'
    : rate !== undefined && !(rate > 0) ? 'rate must be positive'
    : undefined;
  if (problem) throw new Error(`scenario ${name}: ${problem}`);
}

function percentiles(samples: Float64Array): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(samples).sort();
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))];
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

function elapsed(from: number, to: number): number {
  return Number.isNaN(to) ? NaN : to - from;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Child-process entry: one `run` request in, one result out, then wait to be told to exit. */
if (require.main === module && process.send) {
  const send = (message: LoadMessage) => process.send?.(message);
  process.once('message', (request: LoadRequest) => {
    runLoad(request, (message) => send({ type: 'progress', message })).then(
      (result) => send({ type: 'result', result }),
      (err: Error) => {
        process.stderr.write(`load generator: ${err.stack ?? err.message}\n`);
        process.exit(1);
      },
    );
    // The parent stops the server before it lets us go, so that our sockets closing does not set off
    // a storm of `left` notices in a server that is still being measured.
    process.on('message', (message: { type?: string }) => {
      if (message.type === 'exit') process.exit(0);
    });
  });
  process.on('disconnect', () => process.exit(0));
}
