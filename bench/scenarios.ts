/**
 * The benchmark's scenarios, as data. Each single-process one is run against the reference server and
 * against ours, in the same run, by the same load generator. Each two-node one is a single-process
 * scenario again, with our server run as a cluster of two nodes sharing a Redis; it runs only ours
 * (the reference has no cluster) and is compared with the single-process runs of its namesake.
 */

/** What a scenario is for: decides which figures its targets are judged on. */
export type ScenarioFocus = 'throughput' | 'latency' | 'memory' | 'slow-reader';

export interface Scenario {
  /** Short identifier, used by `--only` and as the key in the results. */
  readonly name: string;
  readonly description: string;
  readonly focus: ScenarioFocus;
  /** TCP clients connected, all in text mode. */
  readonly clients: number;
  /** How many of them send (the first `senders` clients). */
  readonly senders: number;
  /** Messages each sender sends. */
  readonly messages: number;
  /** Length of each message's text in bytes (ASCII), without the `name: ` prefix and newline. */
  readonly bytes: number;
  /** Messages per second per sender; absent means a burst, as fast as the socket takes them. */
  readonly rate?: number;
  /** Clients (the last ones, never senders) that stop reading once everyone has joined. */
  readonly stalledReaders?: number;
  /** Pause after everyone has joined before the server's memory is read, so it can settle. */
  readonly settleMs?: number;
  /**
   * Issue 6's memory target, for the scenario that has enough connections for fixed costs (a heap
   * growth step, a buffer pool) not to dominate: the most resident KiB an idle connection may cost.
   */
  readonly maxKiBPerConnection?: number;
  /** The whole scenario (connect, join, send, receive) must finish by then, or it is reported as failed. */
  readonly deadlineMs: number;
  /**
   * Runs per server, alternating reference and ours; the median run (by the figure the scenario is
   * judged on) is reported. A shared 2-core machine is noisy: one run's p99 can be off by 10×.
   */
  readonly repeats?: number;
  /**
   * Processes our server runs as. Absent: one process, against the reference. `TWO_NODES`: a cluster of
   * two `chat serve --redis` nodes sharing a private redis-server, client `i` connected to node `i mod 2`
   * (so senders and receivers are on both); only ours runs, and the scenario is skipped without redis-server.
   */
  readonly nodes?: number;
  /** For a two-node scenario: the single-process scenario with the same load that it is compared with. */
  readonly baseline?: string;
}

/** Nodes in a cluster scenario. */
export const TWO_NODES = 2;

/** The single-process scenarios that are run again on two nodes, for comparison. */
const CLUSTER_BASELINES = ['burst-50', 'latency-200'];

/** `scenario`'s load, with our server as a two-node cluster: named `cluster-<name>`. */
function onTwoNodes(scenario: Scenario): Scenario {
  return {
    ...scenario,
    name: `cluster-${scenario.name}`,
    description: `${scenario.description}; clients spread over two nodes sharing Redis`,
    nodes: TWO_NODES,
    baseline: scenario.name,
  };
}

/** The two-node scenarios mirroring `scenarios`' baselines, after them so that the baselines run first. */
function withClusterScenarios(scenarios: readonly Scenario[]): readonly Scenario[] {
  const clustered = CLUSTER_BASELINES.map((name) => {
    const baseline = scenarios.find((scenario) => scenario.name === name);
    if (!baseline) throw new Error(`no scenario ${name} to run on two nodes`);
    return onTwoNodes(baseline);
  });
  return [...scenarios, ...clustered];
}

/** The single-process scenarios of a full run, in order. */
const SINGLE_PROCESS_SCENARIOS: readonly Scenario[] = [
  {
    name: 'burst-50',
    description: '50 clients, all sending 200 messages of 100 bytes as fast as they can',
    focus: 'throughput',
    clients: 50,
    senders: 50,
    messages: 200,
    bytes: 100,
    deadlineMs: 30_000,
    repeats: 3,
  },
  {
    name: 'burst-500',
    description: '500 clients, 10 of them sending 200 messages of 100 bytes as fast as they can',
    focus: 'throughput',
    clients: 500,
    senders: 10,
    messages: 200,
    bytes: 100,
    deadlineMs: 30_000,
    repeats: 3,
  },
  {
    name: 'burst-large',
    description: '10 clients, 5 of them sending 2,000 messages of 1,000 bytes as fast as they can (10 MB to each reader)',
    focus: 'throughput',
    clients: 10,
    senders: 5,
    messages: 2000,
    bytes: 1000,
    deadlineMs: 30_000,
  },
  {
    name: 'latency-200',
    description: '200 clients, 20 of them sending 10 messages/s each for 5 s (light load)',
    focus: 'latency',
    clients: 200,
    senders: 20,
    messages: 50,
    bytes: 100,
    rate: 10,
    deadlineMs: 30_000,
    repeats: 3,
  },
  {
    name: 'idle-1000',
    description: '1,000 idle connections, then one broadcast that all must receive',
    focus: 'memory',
    clients: 1000,
    senders: 1,
    messages: 1,
    bytes: 100,
    settleMs: 1000,
    deadlineMs: 30_000,
  },
  {
    name: 'idle-10000',
    description: '10,000 idle connections, then one broadcast that all must receive',
    focus: 'memory',
    clients: 10_000,
    senders: 1,
    messages: 1,
    bytes: 100,
    settleMs: 1000,
    maxKiBPerConnection: 16,
    deadlineMs: 60_000,
  },
  {
    name: 'slow-reader',
    description: '10 clients, one never reads while 5 others send 200 messages/s of 2,000 bytes each for 10 s (20 MB to each reader)',
    focus: 'slow-reader',
    clients: 10,
    senders: 5,
    messages: 2000,
    bytes: 2000,
    rate: 200,
    stalledReaders: 1,
    deadlineMs: 30_000,
  },
];

/** The scenarios `npm run bench` runs, in order. */
export const FULL_SCENARIOS: readonly Scenario[] = withClusterScenarios(SINGLE_PROCESS_SCENARIOS);

/** `--quick`: the same scenarios at a fraction of the size, for fast iteration. */
export const QUICK_SCENARIOS: readonly Scenario[] = withClusterScenarios(SINGLE_PROCESS_SCENARIOS.map((full) => {
  const scenario = { ...full, repeats: 1 };
  switch (scenario.name) {
    case 'burst-50':
      return { ...scenario, clients: 20, senders: 20, messages: 50, description: '20 clients, all sending 50 messages of 100 bytes' };
    case 'burst-500':
      return { ...scenario, clients: 100, senders: 5, messages: 100, description: '100 clients, 5 of them sending 100 messages of 100 bytes' };
    case 'burst-large':
      return { ...scenario, messages: 500, description: '10 clients, 5 of them sending 500 messages of 1,000 bytes' };
    case 'latency-200':
      return { ...scenario, clients: 50, senders: 5, messages: 10, description: '50 clients, 5 of them sending 10 messages/s each for 1 s' };
    case 'idle-1000':
      return { ...scenario, clients: 200, settleMs: 300, description: '200 idle connections, then one broadcast that all must receive' };
    case 'idle-10000':
      return { ...scenario, clients: 1000, settleMs: 300, deadlineMs: 30_000, description: '1,000 idle connections, then one broadcast that all must receive' };
    case 'slow-reader':
      return { ...scenario, messages: 400, description: '10 clients, one never reads while 5 others send 200 messages/s of 2,000 bytes each for 2 s' };
    default:
      return scenario;
  }
}));
