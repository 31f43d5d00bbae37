import type { LoadResult } from './load';
import type { Scenario } from './scenarios';

/** The servers every single-process scenario runs against, in the order they run. */
export const SERVERS = ['reference', 'ours'] as const;
export type ServerName = (typeof SERVERS)[number];

/**
 * /proc counts CPU time in 10 ms ticks: over a shorter send phase than this, CPU figures are mostly
 * rounding and are not shown or compared.
 */
const MIN_CPU_WINDOW_MS = 500;

/** One scenario against one server: the generator's result, or why there is none. */
export interface ServerRun {
  readonly result?: LoadResult;
  /** Set when the run produced no result (server did not start, generator crashed or hung). */
  readonly error?: string;
  /** The end of the server's stderr, for diagnosis. */
  readonly serverStderr: string;
  /** The machine's 1-minute load average when the run started: above the core count, other work competed. */
  readonly loadAverage: number;
}

/** Ours ÷ reference; null where either side has no figure. */
export interface Ratios {
  readonly throughput: number | null;
  readonly p99: number | null;
  /** Server CPU time per delivery: below 1 means ours does the same work with less CPU. */
  readonly cpuPerDelivery: number | null;
  readonly joinCpu: number | null;
  readonly perConnection: number | null;
  readonly peakRss: number | null;
}

export interface TargetCheck {
  readonly target: string;
  readonly met: boolean;
}

export interface ScenarioReport {
  readonly scenario: Scenario;
  /** The run reported for each server: the median of its repeats, or a failed one if any failed. */
  readonly runs: Record<ServerName, ServerRun>;
  /** Every run, in order, when the scenario was repeated. */
  readonly repeats?: Record<ServerName, ServerRun[]>;
  readonly ratios: Ratios;
  readonly target: TargetCheck;
}

export interface BenchReport {
  readonly date: string;
  readonly commit: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadAverage: number[];
  readonly quick: boolean;
  /** The flags our server ran with, besides `--port`. */
  readonly ourServerFlags: string;
  /** The single-process scenarios: reference and ours. */
  readonly scenarios: ScenarioReport[];
  /** The two-node scenarios: ours as a cluster, compared with the single-process runs of their baselines. */
  readonly clusterScenarios: ClusterScenarioReport[];
  /** Why the two-node scenarios did not run (no redis-server), if they were selected and did not. */
  readonly clusterSkipped?: string;
  /** The redis-server the two-node scenarios ran with. */
  readonly redisVersion?: string;
  /**
   * What one more idle connection costs, without fixed costs: the difference in (idle − baseline)
   * between the largest and the smallest idle scenario, divided by the difference in clients.
   */
  readonly marginalKiBPerConnection: Record<ServerName, number | null> | null;
}

/** Two nodes ÷ one process, for the same load; null where either side has no figure. */
export interface ClusterRatios {
  readonly throughput: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
  /** CPU per delivery of both nodes and Redis together ÷ the single process's: what the cluster costs in all. */
  readonly cpuPerDelivery: number | null;
  /** Peak RSS of both nodes and Redis together ÷ the single process's. */
  readonly peakRss: number | null;
}

export interface ClusterScenarioReport {
  readonly scenario: Scenario;
  /** The run reported: the median of the repeats, or a failed one if any failed. */
  readonly run: ServerRun;
  /** Every run, in order, when the scenario was repeated. */
  readonly repeats?: ServerRun[];
  /** The single-process scenario it is compared with, when that ran in the same bench run. */
  readonly baseline?: ScenarioReport;
  /** Two nodes ÷ ours as one process in the baseline scenario. */
  readonly versusOurs: ClusterRatios | null;
  /** Two nodes ÷ the reference in the baseline scenario. */
  readonly versusReference: ClusterRatios | null;
  readonly target: TargetCheck;
}

/** The marginal memory per idle connection, from the smallest and largest memory scenarios that ran. */
export function marginalMemory(scenarios: readonly ScenarioReport[]): Record<ServerName, number | null> | null {
  const memory = scenarios.filter(({ scenario }) => scenario.focus === 'memory').sort((a, b) => a.scenario.clients - b.scenario.clients);
  if (memory.length < 2) return null;
  const small = memory[0];
  const large = memory[memory.length - 1];
  const marginal = (server: ServerName): number | null => {
    const a = small.runs[server].result;
    const b = large.runs[server].result;
    if (!a?.ok || !b?.ok) return null;
    const growth = (r: LoadResult) => r.serverMemoryKiB.idle - r.serverMemoryKiB.baseline;
    return round((growth(b) - growth(a)) / (large.scenario.clients - small.scenario.clients));
  };
  return { reference: marginal('reference'), ours: marginal('ours') };
}

/** `all`: every run of the scenario per server, at least one each. */
export function compare(scenario: Scenario, all: Record<ServerName, ServerRun[]>): ScenarioReport {
  const runs = { reference: representative(scenario, all.reference), ours: representative(scenario, all.ours) };
  const ours = runs.ours.result;
  const reference = runs.reference.result;
  const ratio = (pick: (result: LoadResult) => number | null | undefined): number | null => {
    const a = ours && pick(ours);
    const b = reference && pick(reference);
    return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b) : null;
  };
  const ratios: Ratios = {
    throughput: ratio((r) => (r.ok ? r.deliveries.perSecond : null)),
    p99: ratio((r) => r.latencyMs?.p99),
    cpuPerDelivery: ratio(cpuPerDelivery),
    joinCpu: ratio((r) => r.serverCpu.joinSeconds),
    perConnection: ratio((r) => r.serverMemoryKiB.perConnection),
    peakRss: ratio((r) => r.serverMemoryKiB.peak),
  };
  const repeated = all.reference.length > 1 || all.ours.length > 1;
  return { scenario, runs, ...(repeated ? { repeats: all } : {}), ratios, target: checkTarget(scenario, ours, ratios) };
}

/** `runs`: every run of a two-node scenario; `baseline`: its single-process namesake's report, if it ran. */
export function compareCluster(scenario: Scenario, runs: readonly ServerRun[], baseline: ScenarioReport | undefined): ClusterScenarioReport {
  const run = representative(scenario, runs);
  const cluster = run.result;
  const versus = (server: ServerName): ClusterRatios | null => {
    const single = baseline?.runs[server].result;
    if (!cluster || !single) return null;
    const ratio = (pick: (result: LoadResult) => number | null | undefined): number | null => {
      const a = pick(cluster);
      const b = pick(single);
      return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b) : null;
    };
    return {
      throughput: ratio((r) => (r.ok ? r.deliveries.perSecond : null)),
      p50: ratio((r) => r.latencyMs?.p50),
      p99: ratio((r) => r.latencyMs?.p99),
      cpuPerDelivery: ratio(totalCpuPerDelivery),
      peakRss: ratio(totalPeakKiB),
    };
  };
  return {
    scenario,
    run,
    ...(runs.length > 1 ? { repeats: [...runs] } : {}),
    ...(baseline ? { baseline } : {}),
    versusOurs: versus('ours'),
    versusReference: versus('reference'),
    target: { target: 'zero loss, in order, across both nodes', met: cluster?.ok === true },
  };
}

/** The figure a scenario is judged on, for picking the median run. */
function keyFigure(scenario: Scenario, result: LoadResult): number {
  switch (scenario.focus) {
    case 'throughput':
      return result.deliveries.perSecond;
    case 'latency':
      return result.latencyMs?.p99 ?? Infinity;
    case 'memory':
      return result.serverMemoryKiB.perConnection;
    case 'slow-reader':
      return result.serverMemoryKiB.peak;
  }
}

/** A failed run if there is one (a failure is never averaged away), else the median by the key figure. */
function representative(scenario: Scenario, runs: readonly ServerRun[]): ServerRun {
  const failed = runs.find((run) => !run.result?.ok);
  if (failed) return failed;
  const sorted = [...runs].sort((a, b) => keyFigure(scenario, a.result!) - keyFigure(scenario, b.result!));
  return sorted[Math.floor(sorted.length / 2)];
}

/** The issue's target for this kind of scenario, judged on our server's figures. */
function checkTarget(scenario: Scenario, ours: LoadResult | undefined, ratios: Ratios): TargetCheck {
  const ok = ours?.ok === true;
  switch (scenario.focus) {
    case 'throughput':
      return { target: 'throughput ≥ 1.0× reference, zero loss', met: ok && (ratios.throughput ?? 0) >= 1 };
    case 'latency':
      return { target: 'p99 ≤ reference, zero loss', met: ok && ratios.p99 !== null && ratios.p99 <= 1 };
    case 'memory': {
      const limit = scenario.maxKiBPerConnection;
      if (limit === undefined) return { target: 'all receive the broadcast', met: ok };
      const perConnection = ours?.serverMemoryKiB.perConnection;
      return {
        target: `≤ ${limit} KiB/connection, all receive the broadcast`,
        met: ok && typeof perConnection === 'number' && perConnection <= limit,
      };
    }
    case 'slow-reader':
      return { target: 'everyone else loses nothing', met: ok };
  }
}

/** Microseconds of server CPU per delivery in the send phase (every node's, for a cluster). */
function cpuPerDelivery(result: LoadResult): number | null {
  return cpuMeasurable(result) && result.deliveries.delivered > 0 ? (result.serverCpu.sendSeconds * 1e6) / result.deliveries.delivered : null;
}

/** Like `cpuPerDelivery`, with the cluster's Redis counted too: what delivering cost in all. */
function totalCpuPerDelivery(result: LoadResult): number | null {
  const seconds = result.serverCpu.sendSeconds + (result.redis?.cpu.sendSeconds ?? 0);
  return cpuMeasurable(result) && result.deliveries.delivered > 0 ? (seconds * 1e6) / result.deliveries.delivered : null;
}

/** The server's peak resident memory, with the cluster's Redis counted too. */
function totalPeakKiB(result: LoadResult): number {
  return result.serverMemoryKiB.peak + (result.redis?.memoryKiB.peak ?? 0);
}

function cpuMeasurable(result: LoadResult): boolean {
  return result.timingsMs.send >= MIN_CPU_WINDOW_MS;
}

export function toMarkdown(report: BenchReport): string {
  const lines = [
    `# Benchmark results${report.quick ? ' (quick)' : ''}`,
    '',
    `${report.date} · commit ${report.commit} · Node ${report.node} · ${report.cores} × ${report.cpu} · load average before the run ${report.loadAverage.map((n) => n.toFixed(2)).join(' ')}`,
    '',
    'Each scenario runs against a minimal hand-written `net` broadcast server (reference) and against ours, in the same run, with the same load generator in its own process. '
      + 'Deliveries = messages × receivers, each checked to arrive exactly once, in order and intact. '
      + 'Server CPU is the share of one core over the send phase; join CPU is what connecting and registering everyone cost. '
      + 'Generator CPU near 100% means the generator, not the server, was the limit. '
      + `CPU figures are left out (–) when the send phase was shorter than ${MIN_CPU_WINDOW_MS} ms. `
      + `Our server ran as \`chat serve ${report.ourServerFlags}\`.`,
    ...singleProcessMarkdown(report),
    ...clusterMarkdown(report),
    '',
    'Scenarios:',
    '',
    ...[...report.scenarios, ...report.clusterScenarios].map(({ scenario }) => {
      const repeats = scenario.repeats ?? 1;
      return `- \`${scenario.name}\`: ${scenario.description}${repeats > 1 ? ` (median of ${repeats} runs)` : ''}.`;
    }),
    '',
    'Reproduce with `npm run bench` (`--quick` for smaller sizes, `--only <name>[,<name>]` for some scenarios).',
    '',
  ];
  return lines.join('\n');
}

/** The reference and ours, one process each: every figure, then ours ÷ reference. */
function singleProcessMarkdown(report: BenchReport): string[] {
  if (report.scenarios.length === 0) return [];
  const lines = [
    '',
    '| Scenario | Server | Result | Deliveries/s | p50 ms | p99 ms | max ms | Server CPU | CPU µs/delivery | Join CPU s | Idle RSS MiB | Peak RSS MiB | KiB/conn | Notice lines | Generator CPU |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const { scenario, runs } of report.scenarios) {
    for (const server of SERVERS) {
      const run = runs[server];
      const r = run.result;
      if (!r) {
        lines.push(`| ${scenario.name} | ${server} | ✗ ${escape(run.error ?? 'no result')} |${' – |'.repeat(12)}`);
        continue;
      }
      lines.push(
        `| ${scenario.name} | ${server} | ${r.ok ? '✓' : `✗ ${escape(r.failures.join('; '))}`} | ${int(r.deliveries.perSecond)} | ${num(r.latencyMs?.p50)} | ${num(r.latencyMs?.p99)} | ${num(r.latencyMs?.max)} `
          + `| ${percent(cpuMeasurable(r) ? r.serverCpu.sendPercent : null)} | ${num(cpuPerDelivery(r))} | ${num(r.serverCpu.joinSeconds)} | ${mib(r.serverMemoryKiB.idle)} | ${mib(r.serverMemoryKiB.peak)} `
          + `| ${scenario.focus === 'memory' ? num(r.serverMemoryKiB.perConnection, 1) : '–'} | ${int(r.otherLines.notices)} | ${percent(cpuMeasurable(r) ? r.generatorCpu.sendPercent : null)} |`,
      );
    }
  }
  lines.push(
    '',
    '## Ours ÷ reference',
    '',
    '| Scenario | Throughput | p99 latency | CPU/delivery | Join CPU | KiB/conn | Peak RSS | Target | Met |',
    '|---|--:|--:|--:|--:|--:|--:|---|---|',
  );
  for (const { scenario, ratios, target } of report.scenarios) {
    lines.push(
      `| ${scenario.name} | ${times(ratios.throughput)} | ${times(ratios.p99)} | ${times(ratios.cpuPerDelivery)} | ${times(ratios.joinCpu)} `
        + `| ${scenario.focus === 'memory' ? times(ratios.perConnection) : '–'} | ${times(ratios.peakRss)} | ${target.target} | ${target.met ? '✓' : '✗'} |`,
    );
  }
  if (report.marginalKiBPerConnection) {
    const { reference, ours } = report.marginalKiBPerConnection;
    lines.push('', `Marginal memory per idle connection (between the smallest and largest idle scenario): reference ${num(reference, 1)} KiB, ours ${num(ours, 1)} KiB.`);
  }
  const stalledNotes = report.scenarios.flatMap(({ scenario, runs }) =>
    SERVERS.flatMap((server) => {
      const stalled = runs[server].result?.stalled;
      if (!stalled || stalled.clients === 0) return [];
      const cut = stalled.disconnectedByServer > 0 ? `was disconnected by the server` : 'stayed connected';
      return [`- \`${scenario.name}\`, ${server}: the reader that stopped reading ${cut}; reading again, it got ${int(stalled.messages)} messages and ${int(stalled.gapNotices)} notices of dropped messages.`];
    }),
  );
  if (stalledNotes.length > 0) lines.push('', 'Stalled readers:', '', ...stalledNotes);
  return lines;
}

/** The two-node section: each cluster scenario next to its single-process runs, then their ratios. */
function clusterMarkdown(report: BenchReport): string[] {
  const { clusterScenarios, clusterSkipped } = report;
  if (clusterScenarios.length === 0 && !clusterSkipped) return [];
  const lines = ['', '## Two nodes (a cluster through Redis)', ''];
  if (clusterSkipped) lines.push(clusterSkipped);
  if (clusterScenarios.length === 0) return lines;
  if (clusterSkipped) lines.push('');
  lines.push(
    'Each two-node scenario is the single-process scenario it names, run again with our server as two `chat serve --redis` processes '
      + `sharing a redis-server${report.redisVersion ? ` ${report.redisVersion}` : ''} started for the run (no persistence); client i connects to node i mod 2, so senders and receivers are on both `
      + 'and every message crosses from one node to the other through Redis. '
      + 'For the two nodes, Server CPU and RSS are both nodes summed (peak = the sum of each node\'s peak); Redis is shown apart. '
      + 'CPU µs/delivery counts the nodes and Redis together. The single-process rows are the same run\'s results of the baseline scenario.',
    '',
    '| Scenario | Setup | Result | Deliveries/s | p50 ms | p99 ms | max ms | Server CPU | Redis CPU | CPU µs/delivery | Peak RSS MiB | Redis peak RSS MiB | Generator CPU |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  const row = (scenario: string, setup: string, run: ServerRun): string => {
    const r = run.result;
    if (!r) return `| ${scenario} | ${setup} | ✗ ${escape(run.error ?? 'no result')} |${' – |'.repeat(10)}`;
    const measurable = cpuMeasurable(r);
    return `| ${scenario} | ${setup} | ${r.ok ? '✓' : `✗ ${escape(r.failures.join('; '))}`} | ${int(r.deliveries.perSecond)} | ${num(r.latencyMs?.p50)} | ${num(r.latencyMs?.p99)} | ${num(r.latencyMs?.max)} `
      + `| ${percent(measurable ? r.serverCpu.sendPercent : null)} | ${percent(measurable && r.redis ? r.redis.cpu.sendPercent : null)} | ${num(totalCpuPerDelivery(r))} `
      + `| ${mib(r.serverMemoryKiB.peak)} | ${r.redis ? mib(r.redis.memoryKiB.peak) : '–'} | ${percent(measurable ? r.generatorCpu.sendPercent : null)} |`;
  };
  for (const { scenario, run, baseline } of clusterScenarios) {
    if (baseline) {
      lines.push(row(baseline.scenario.name, 'reference, 1 process', baseline.runs.reference));
      lines.push(row(baseline.scenario.name, 'ours, 1 process', baseline.runs.ours));
    }
    lines.push(row(scenario.name, `ours, ${scenario.nodes} nodes + Redis`, run));
  }
  lines.push(
    '',
    '| Scenario | Two nodes ÷ | Throughput | p50 latency | p99 latency | CPU/delivery (incl. Redis) | Peak RSS (incl. Redis) | Target | Met |',
    '|---|---|--:|--:|--:|--:|--:|---|---|',
  );
  const missing: string[] = [];
  for (const { scenario, versusOurs, versusReference, target } of clusterScenarios) {
    const against = [
      ['ours, 1 process', versusOurs],
      ['reference', versusReference],
    ] as const;
    for (const [label, ratios] of against) {
      lines.push(
        `| ${scenario.name} | ${label} (${scenario.baseline}) | ${times(ratios?.throughput ?? null)} | ${times(ratios?.p50 ?? null)} | ${times(ratios?.p99 ?? null)} `
          + `| ${times(ratios?.cpuPerDelivery ?? null)} | ${times(ratios?.peakRss ?? null)} | ${target.target} | ${target.met ? '✓' : '✗'} |`,
      );
    }
    if (!versusOurs) missing.push(`\`${scenario.baseline}\``);
  }
  if (missing.length > 0) {
    const names = clusterScenarios.flatMap(({ scenario }) => [scenario.baseline, scenario.name]).join(',');
    lines.push('', `No ratios where ${missing.join(', ')} did not run in this run: \`npm run bench -- --only ${names}\` runs each with its baseline.`);
  }
  const balance = clusterScenarios.flatMap(({ scenario, run }) => {
    const r = run.result;
    if (!r?.perNode || !cpuMeasurable(r)) return [];
    const cpu = r.perNode.map((node) => `${node.sendSeconds.toFixed(2)} s`).join(' / ');
    const peak = r.perNode.map((node) => mib(node.peakKiB)).join(' / ');
    const redis = r.redis ? `; Redis ${r.redis.cpu.sendSeconds.toFixed(2)} s, idle RSS ${mib(r.redis.memoryKiB.idle)} MiB` : '';
    return [`- \`${scenario.name}\`: send-phase CPU per node ${cpu}, peak RSS per node ${peak} MiB${redis}.`];
  });
  if (balance.length > 0) lines.push('', 'Per node:', '', ...balance);
  return lines;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function num(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function percent(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(0)}%`;
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}

function times(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}×`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
