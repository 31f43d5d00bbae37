/**
 * `npm run bench`: builds the server, then runs every scenario against the reference server and
 * against ours, each in a fresh server process with the load generator in a process of its own, and
 * writes bench/results/latest.json and latest.md. The two-node scenarios run ours alone, as two
 * `chat serve --redis` processes sharing a redis-server started for the run (skipped without one).
 *
 *   npm run bench -- [--quick] [--only <scenario>[,<scenario>...]] [--commit <rev> | --dist <dir> | --no-build] [--profile]
 *
 * --quick         smaller sizes, for fast iteration
 * --only          run only the named scenarios
 * --commit <rev>  benchmark our server as of a git commit (built in a temporary directory), not the working tree
 * --dist <dir>    run our server from another compiled dist/ (another checkout, to compare versions)
 * --no-build      use ./dist as it is
 * --profile       run our server under `node --cpu-prof` and print where it spent its time
 */
import { ChildProcess, execFileSync, fork, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { connect, createServer, AddressInfo } from 'net';
import { cpus, loadavg, tmpdir } from 'os';
import { basename, join, resolve } from 'path';
import * as ts from 'typescript';
import { summarizeProfile } from './cpu-profile';
import type { LoadMessage, LoadRequest, LoadResult } from './load';
import { BenchReport, ClusterScenarioReport, compare, compareCluster, marginalMemory, ScenarioReport, ServerName, ServerRun, SERVERS, toMarkdown } from './report';
import { FULL_SCENARIOS, QUICK_SCENARIOS, Scenario } from './scenarios';

const ROOT = resolve(__dirname, '..');
const RESULTS_DIR = join(__dirname, 'results');
const HOST = '127.0.0.1';

/** The bench modules the child processes run, compiled to plain JS so that no TypeScript loader runs inside a measured process. */
const CHILD_MODULES = ['payload.ts', 'proc-stats.ts', 'load.ts', 'reference-server.ts'];

/** How long a server may take to accept its first connection. */
const SERVER_START_TIMEOUT_MS = 15_000;
/** Pause between the server accepting and the generator starting, so start-up work does not count. */
const SERVER_SETTLE_MS = 300;
/** Slack on top of a scenario's own deadline before the generator is presumed hung and killed. */
const GENERATOR_GRACE_MS = 30_000;
/** How long a process may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Heap the generator may use: 10,000 clients and millions of latency samples need more than the default. */
const GENERATOR_HEAP_MIB = 4096;
/**
 * Flags for our server. The reference has no flood control, and every scenario sends faster than a
 * person types on purpose, so the per-client rate limit is lifted; every other protection (send
 * queues, slow-reader policy, connection caps) stays at its default and is part of what is measured.
 */
export const OUR_SERVER_FLAGS = ['--rate', '1000000', '--burst', '1000000', '--log-level', 'warn'];

/**
 * How our server's text-mode welcome starts (`*** Welcome, b00000! ...`, not the greeting's
 * `*** Welcome to chat!`): the generator's first sync waits for it (see `LoadRequest.welcomePrefix`).
 */
const OUR_WELCOME_PREFIX = '*** Welcome, ';

/** The Redis server the two-node scenarios start, looked up on the PATH. */
const REDIS_SERVER = 'redis-server';
/** Printed when the two-node scenarios are skipped for want of it. */
const REDIS_INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) to run them';
/**
 * The private Redis of a two-node run: loopback only, nothing written to disk (the data of one run is
 * worth nothing afterwards, and a background save would compete for the CPU being measured).
 */
const REDIS_FLAGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];

/** Functions listed per CPU profile with --profile. */
const PROFILE_TOP_FUNCTIONS = 15;
/** How much of a server's stderr is kept for the report. */
const STDERR_TAIL_CHARS = 2000;

interface Options {
  readonly quick: boolean;
  readonly only?: readonly string[];
  readonly build: boolean;
  /** The compiled server our runs start: `<dist>/cli/main.js`. */
  readonly dist: string;
  /** Build our server from this git revision instead of the working tree. */
  readonly commit?: string;
  readonly profile: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let quick = false;
  let build = true;
  let profile = false;
  let only: string[] | undefined;
  let dist = join(ROOT, 'dist');
  let commit: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--no-build') build = false;
    else if (arg === '--dist' || arg.startsWith('--dist=')) {
      const value = arg === '--dist' ? argv[++i] : arg.slice('--dist='.length);
      if (!value) fail('--dist needs a directory');
      dist = resolve(value);
      if (!existsSync(join(dist, 'cli', 'main.js'))) fail(`--dist ${value}: there is no cli/main.js in it`);
      build = false;
    } else if (arg === '--commit' || arg.startsWith('--commit=')) {
      commit = arg === '--commit' ? argv[++i] : arg.slice('--commit='.length);
      if (!commit) fail('--commit needs a git revision');
      build = false;
    }
    else if (arg === '--profile') profile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) fail('--only needs a scenario name');
      only = value.split(',').map((name) => name.trim()).filter(Boolean);
    } else fail(`unknown option ${arg}; use --quick, --only <scenario>, --commit <rev>, --dist <dir>, --no-build or --profile`);
  }
  return { quick, only, build, dist, commit, profile };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function selectScenarios({ quick, only }: Options): Scenario[] {
  const all = quick ? QUICK_SCENARIOS : FULL_SCENARIOS;
  if (!only) return [...all];
  const unknown = only.filter((name) => !all.some((scenario) => scenario.name === name));
  if (unknown.length > 0) fail(`no scenario ${unknown.join(', ')}; the scenarios are ${all.map((s) => s.name).join(', ')}`);
  return all.filter((scenario) => only.includes(scenario.name));
}

/** Exports a git revision into `dir` and compiles its server there; returns its dist/ and short hash. */
function buildCommit(revision: string, dir: string): { dist: string; commit: string } {
  const run = (command: string, args: string[], input?: Buffer) => {
    const result = spawnSync(command, args, { cwd: ROOT, input, maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString().trim()}`);
    return result.stdout;
  };
  const commit = run('git', ['rev-parse', '--short', '--verify', `${revision}^{commit}`]).toString().trim();
  mkdirSync(dir, { recursive: true });
  run('tar', ['-x', '-C', dir], run('git', ['archive', '--format=tar', commit]));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  log(`building our server as of ${commit} in ${dir}`);
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  const dist = join(dir, 'dist');
  return { dist, commit: commit + buildProblem(tsc.status, dist, `our server as of ${commit}`) };
}

/**
 * tsc writes JavaScript even when it reports type errors, so a build that fails in one corner (the
 * terminal client, say) still gives a runnable server. The bench goes on, says so loudly, and marks
 * the results; it stops only if there is no server to run. Returns the mark ('' for a clean build).
 */
function buildProblem(status: number | null, dist: string, what: string): string {
  if (status === 0) return '';
  if (!existsSync(join(dist, 'cli', 'main.js'))) throw new Error(`${what} does not build, and there is no ${join(dist, 'cli', 'main.js')} to run`);
  log(`\nWARNING: ${what} has type errors (above); benchmarking the JavaScript tsc wrote anyway\n`);
  return ' (built with type errors)';
}

/** Compiles the child-process modules into a temporary directory; returns it. */
function compileChildren(): string {
  const out = mkdtempSync(join(tmpdir(), 'chat-bench-'));
  for (const file of CHILD_MODULES) {
    const source = readFileSync(join(__dirname, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(out, basename(file, '.ts') + '.js'), outputText);
  }
  return out;
}

/**
 * Every server and Redis process the bench has started and not yet seen exit, so that none outlives
 * it: they are killed when the bench exits for any reason, including an error or Ctrl-C.
 */
const liveProcesses = new Set<ChildProcess>();
/** Temporary directories to remove when the bench exits, should the run that made one not get to it. */
const liveDirectories = new Set<string>();

function killLeftovers(): void {
  for (const child of liveProcesses) child.kill('SIGKILL');
  for (const dir of liveDirectories) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', killLeftovers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the processes the bench started`);
    process.exit(130);
  });
}

/** A process the bench waits on and measures, with the end of its output kept for the report. */
interface Started {
  readonly child: ChildProcess;
  readonly label: string;
  /** The end of what it wrote to stderr (and stdout, for Redis, which logs there). */
  output(): string;
}

function start(command: string, args: readonly string[], label: string, keepStdout = false): Started {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  liveProcesses.add(child);
  child.once('exit', () => liveProcesses.delete(child));
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-STDERR_TAIL_CHARS);
  };
  child.stderr?.setEncoding('utf8').on('data', keep);
  child.stdout?.setEncoding('utf8').on('data', keep);
  // A command that cannot be started at all emits 'error' rather than 'exit'.
  child.once('error', (err) => {
    keep(`${label}: ${err.message}\n`);
    liveProcesses.delete(child);
  });
  return { child, label, output: () => output };
}

function exitOf(child: ChildProcess): string | number | null {
  return child.exitCode ?? child.signalCode;
}

/** The server side of one run: the processes the generator connects to and measures. */
interface Deployment {
  readonly ports: number[];
  readonly servers: Started[];
  readonly redis?: Started;
  /** Stops the server processes (before the generator lets go of its sockets). */
  stopServers(): Promise<void>;
  /** Stops whatever the servers needed (Redis) and removes its files; after `stopServers`. */
  stopRest(): Promise<void>;
}

/** What `redis-server --version` says (`Redis server v=7.0.15 ...`), or undefined if it does not run: then the two-node scenarios cannot. */
function redisServerVersion(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return /v=(\S+)/.exec(probe.stdout)?.[1] ?? probe.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Resolves once something accepts connections on the port; rejects if `child` exits first or time runs out. */
async function waitForPort(port: number, child: ChildProcess, label = 'server'): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitOf(child) !== null || !liveProcesses.has(child)) throw new Error(`${label} exited (${exitOf(child) ?? 'could not start'}) before accepting connections`);
    const accepted = await new Promise<boolean>((done) => {
      const socket = connect({ host: HOST, port }, () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (accepted) return;
    await sleep(50);
  }
  throw new Error(`${label} did not accept connections on port ${port} within ${SERVER_START_TIMEOUT_MS / 1000} s`);
}

/** `clusterFlags`: `--redis ...` for a node of a cluster. */
function serverCommand(server: ServerName, port: number, childDir: string, dist: string, profileDir: string | undefined, clusterFlags: string[] = []): string[] {
  if (server === 'reference') return [join(childDir, 'reference-server.js'), '--port', String(port)];
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return [...profile, join(dist, 'cli', 'main.js'), 'serve', '--port', String(port), ...OUR_SERVER_FLAGS, ...clusterFlags];
}

/** One server process on a free port, accepting connections. */
async function startSingle(server: ServerName, childDir: string, dist: string, profileDir: string | undefined): Promise<Deployment> {
  const port = await freePort();
  const started = start(process.execPath, serverCommand(server, port, childDir, dist, profileDir), server);
  const deployment: Deployment = {
    ports: [port],
    servers: [started],
    stopServers: () => stop(started.child),
    stopRest: async () => {},
  };
  try {
    await waitForPort(port, started.child);
    return deployment;
  } catch (err) {
    const described = withOutput(err as Error, [started]);
    await deployment.stopServers();
    throw described;
  }
}

/**
 * A private redis-server on a free loopback port, in a temporary directory, then `nodes` of our
 * servers joined to it under a fresh key prefix; resolves once all accept connections. On failure
 * everything already started is stopped before the error goes on.
 */
async function startCluster(nodes: number, childDir: string, dist: string, profileDir: string | undefined): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-redis-'));
  liveDirectories.add(dir);
  const redisPort = await freePort();
  const redis = start(REDIS_SERVER, ['--port', String(redisPort), '--dir', dir, ...REDIS_FLAGS], 'redis-server', true);
  const servers: Started[] = [];
  const ports: number[] = [];
  const deployment: Deployment = {
    ports,
    servers,
    redis,
    stopServers: async () => {
      await Promise.all(servers.map((server) => stop(server.child)));
    },
    stopRest: async () => {
      await stop(redis.child);
      rmSync(dir, { recursive: true, force: true });
      liveDirectories.delete(dir);
    },
  };
  try {
    await waitForPort(redisPort, redis.child, 'redis-server');
    const clusterFlags = ['--redis', `redis://${HOST}:${redisPort}`, '--redis-prefix', `bench-${randomBytes(4).toString('hex')}`];
    for (let node = 0; node < nodes; node++) {
      const port = await freePort();
      ports.push(port);
      servers.push(start(process.execPath, serverCommand('ours', port, childDir, dist, profileDir, clusterFlags), `node ${node + 1}`));
    }
    await Promise.all(servers.map((server, node) => waitForPort(ports[node], server.child, server.label)));
    return deployment;
  } catch (err) {
    const described = withOutput(err as Error, [...servers, redis]);
    await deployment.stopServers();
    await deployment.stopRest();
    throw described;
  }
}

/**
 * The error with the end of the output of the processes that exited (of all, if none did), labelled:
 * why a server did not start is usually there.
 */
function withOutput(err: Error, processes: readonly Started[]): Error {
  const exited = processes.filter((started) => exitOf(started.child) !== null || started.child.pid === undefined);
  const outputs = (exited.length > 0 ? exited : processes)
    .filter((started) => started.output().trim())
    .map((started) => `[${started.label}] ${started.output().trim()}`);
  return outputs.length === 0 ? err : new Error(`${err.message}: ${outputs.join(' ')}`);
}

/** The end of every process's output, labelled when there are several. */
function outputsOf(deployment: Deployment): string {
  const processes = [...deployment.servers, ...(deployment.redis ? [deployment.redis] : [])];
  if (processes.length === 1) return processes[0].output();
  return processes.map((started) => (started.output() ? `[${started.label}]\n${started.output()}` : '')).filter(Boolean).join('\n');
}

/** Sends SIGTERM, then SIGKILL if the process has not exited in time. */
async function stop(child: ChildProcess): Promise<void> {
  // No pid: it never started (spawn reported an error instead), so there is nothing to wait for.
  if (exitOf(child) !== null || child.pid === undefined) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * One run of a scenario: a fresh server (one process, or `scenario.nodes` nodes and their Redis), the
 * generator against it, then everything stopped. `profileDir`: where our server writes a CPU profile
 * when it exits, if it should.
 */
async function runOne(scenario: Scenario, server: ServerName, childDir: string, dist: string, profileDir: string | undefined): Promise<ServerRun> {
  const loadAverage = loadavg()[0];
  let deployment: Deployment;
  try {
    deployment = (scenario.nodes ?? 1) > 1 ? await startCluster(scenario.nodes!, childDir, dist, profileDir) : await startSingle(server, childDir, dist, profileDir);
  } catch (err) {
    return { error: (err as Error).message, serverStderr: '', loadAverage };
  }
  let generator: ChildProcess | undefined;
  try {
    await sleep(SERVER_SETTLE_MS);
    generator = fork(join(childDir, 'load.js'), [], {
      execArgv: [`--max-old-space-size=${GENERATOR_HEAP_MIB}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const request: LoadRequest = {
      type: 'run',
      scenario,
      ports: deployment.ports,
      serverPids: deployment.servers.map((started) => started.child.pid!),
      ...(deployment.redis ? { redisPid: deployment.redis.child.pid! } : {}),
      ...(server === 'ours' ? { welcomePrefix: OUR_WELCOME_PREFIX } : {}),
    };
    const result = await generatorResult(generator, scenario, request);
    return { result, serverStderr: outputsOf(deployment), loadAverage };
  } catch (err) {
    const exited = [...deployment.servers, ...(deployment.redis ? [deployment.redis] : [])].filter((started) => exitOf(started.child) !== null);
    const which = exited.map((started) => `${deployment.servers.length > 1 || deployment.redis ? started.label : 'the server'} exited (${exitOf(started.child)})`);
    const error = which.length === 0 ? (err as Error).message : `${which.join(', ')} during the run; ${(err as Error).message}`;
    return { error, serverStderr: outputsOf(deployment), loadAverage };
  } finally {
    // The servers go first: clients closing while they run would set off a storm of `left` notices.
    // Redis goes last, so that no node finds it gone and starts reconnecting while it shuts down.
    await deployment.stopServers();
    if (generator) {
      generator.send({ type: 'exit' }, () => {});
      await stopAfter(generator, STOP_TIMEOUT_MS);
    }
    await deployment.stopRest();
  }
}

/** Waits for the generator's result, printing its progress; rejects if it crashes or hangs. */
function generatorResult(generator: ChildProcess, scenario: Scenario, request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolveResult, reject) => {
    const startedAt = Date.now();
    const timer = setTimeout(() => {
      generator.kill('SIGKILL');
      reject(new Error(`load generator hung past the ${scenario.deadlineMs / 1000} s deadline`));
    }, scenario.deadlineMs + GENERATOR_GRACE_MS);
    generator.on('message', (message: LoadMessage) => {
      if (message.type === 'progress') log(`    ${((Date.now() - startedAt) / 1000).toFixed(1)} s  ${message.message}`);
      else {
        clearTimeout(timer);
        resolveResult(message.result);
      }
    });
    generator.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`load generator exited (${code ?? signal}) without a result`));
    });
    generator.send(request);
  });
}

/** Lets a process exit by itself for a while, then kills it. */
async function stopAfter(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

/** Every run of a two-node scenario: ours only, as a cluster, `repeats` times. */
async function runCluster(scenario: Scenario, childDir: string, dist: string, profileDir: string | undefined): Promise<ServerRun[]> {
  const runs: ServerRun[] = [];
  const repeats = scenario.repeats ?? 1;
  for (let round = 1; round <= repeats; round++) {
    const label = `ours, ${scenario.nodes} nodes${repeats > 1 ? ` (run ${round} of ${repeats})` : ''}`;
    log(`  ${label}`);
    const runProfileDir = profileDir ? join(profileDir, `${scenario.name}-${round}`) : undefined;
    const run = await runOne(scenario, 'ours', childDir, dist, runProfileDir);
    runs.push(run);
    log(`  ${label}: ${summary(run)}`);
    if (runProfileDir) printProfiles(runProfileDir);
  }
  return runs;
}

function summary(run: ServerRun): string {
  const r = run.result;
  if (!r) return `no result: ${run.error}`;
  const latency = r.latencyMs ? `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms` : 'no latency';
  const status = r.ok ? 'ok' : `FAILED: ${r.failures.join('; ')}`;
  const nodes = r.serverProcesses > 1 ? ` (${r.serverProcesses} nodes)` : '';
  const redis = r.redis ? ` · Redis CPU ${r.redis.cpu.sendPercent}%, peak RSS ${(r.redis.memoryKiB.peak / 1024).toFixed(1)} MiB` : '';
  return `${status} · ${r.deliveries.perSecond.toLocaleString('en-US')} deliveries/s · ${latency} · server CPU${nodes} ${r.serverCpu.sendPercent}% · generator CPU ${r.generatorCpu.sendPercent}% · peak RSS ${(r.serverMemoryKiB.peak / 1024).toFixed(1)} MiB${redis}`;
}

/** Prints where our server spent its time, from the profiles it wrote to `dir`. */
function printProfiles(dir: string): void {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  } catch {
    files = [];
  }
  if (files.length === 0) log(`    no CPU profile in ${dir} (the server must exit normally to write one)`);
  for (const file of files) {
    const { totalMs, entries } = summarizeProfile(join(dir, file), ROOT, PROFILE_TOP_FUNCTIONS);
    log(`    CPU profile ${join(dir, file)} (${totalMs} ms sampled); self ms, total ms, function:`);
    for (const { selfMs, totalMs: inclusive, frame } of entries) log(`    ${String(selfMs).padStart(7)} ${String(inclusive).padStart(7)}  ${frame}`);
  }
}

function describeCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (src/ has uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const selected = selectScenarios(options);
  const clustered = selected.filter((scenario) => (scenario.nodes ?? 1) > 1);
  let clusterSkipped: string | undefined;
  const redisVersion = clustered.length > 0 ? redisServerVersion() : undefined;
  if (clustered.length > 0 && !redisVersion) {
    clusterSkipped = `Skipped ${clustered.map((scenario) => scenario.name).join(', ')}: ${REDIS_SERVER} is not on the PATH; ${REDIS_INSTALL_HINT}.`;
    log(clusterSkipped);
  }
  const scenarios = clusterSkipped ? selected.filter((scenario) => !clustered.includes(scenario)) : selected;
  let buildNote = '';
  if (options.build) {
    log('building the server (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    buildNote = buildProblem(build.status, join(ROOT, 'dist'), 'the working tree');
  }
  const childDir = compileChildren();
  liveDirectories.add(childDir);
  const profileDir = join(tmpdir(), `chat-bench-profiles-${process.pid}`);
  const loadAverage = loadavg();
  const reports: ScenarioReport[] = [];
  const clusterRuns: { scenario: Scenario; runs: ServerRun[] }[] = [];
  let dist = options.dist;
  let commit = options.dist === join(ROOT, 'dist') ? describeCommit() + buildNote : `our server from ${options.dist}`;
  try {
    if (options.commit) ({ dist, commit } = buildCommit(options.commit, join(childDir, 'server')));
    for (const scenario of scenarios) {
      log(`\n${scenario.name}: ${scenario.description}`);
      if ((scenario.nodes ?? 1) > 1) {
        clusterRuns.push({ scenario, runs: await runCluster(scenario, childDir, dist, options.profile ? profileDir : undefined) });
        continue;
      }
      const runs: Record<ServerName, ServerRun[]> = { reference: [], ours: [] };
      const repeats = scenario.repeats ?? 1;
      for (let round = 1; round <= repeats; round++) {
        for (const server of SERVERS) {
          const label = repeats > 1 ? `${server} (run ${round} of ${repeats})` : server;
          log(`  ${label}`);
          const runProfileDir = options.profile && server === 'ours' ? join(profileDir, `${scenario.name}-${round}`) : undefined;
          const run = await runOne(scenario, server, childDir, dist, runProfileDir);
          runs[server].push(run);
          log(`  ${label}: ${summary(run)}`);
          if (runProfileDir) printProfiles(runProfileDir);
        }
      }
      reports.push(compare(scenario, runs));
    }
  } finally {
    rmSync(childDir, { recursive: true, force: true });
  }

  const clusterScenarios: ClusterScenarioReport[] = clusterRuns.map(({ scenario, runs }) =>
    compareCluster(scenario, runs, reports.find((report) => report.scenario.name === scenario.baseline)),
  );
  const report: BenchReport = {
    date: new Date().toISOString(),
    commit,
    node: process.versions.node,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    loadAverage,
    quick: options.quick,
    ourServerFlags: OUR_SERVER_FLAGS.join(' '),
    scenarios: reports,
    clusterScenarios,
    ...(clusterSkipped ? { clusterSkipped } : {}),
    ...(redisVersion ? { redisVersion } : {}),
    marginalKiBPerConnection: marginalMemory(reports),
  };
  const markdown = toMarkdown(report);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown);
  log(`\n${markdown}`);
  log(`written to ${join('bench', 'results', 'latest.json')} and latest.md`);
  if (options.profile) log(`CPU profiles of our server: ${profileDir} (open in Chrome DevTools → Performance)`);
}

main().catch((err: Error) => fail(err.message));
