/**
 * `npm run bench`: builds the server, then runs every scenario against the reference server and
 * against ours, each in a fresh server process with the load generator in a process of its own, and
 * writes bench/results/latest.json and latest.md.
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
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { connect, createServer, AddressInfo } from 'net';
import { cpus, loadavg, tmpdir } from 'os';
import { basename, join, resolve } from 'path';
import * as ts from 'typescript';
import { summarizeProfile } from './cpu-profile';
import type { LoadMessage, LoadRequest, LoadResult } from './load';
import { BenchReport, compare, marginalMemory, ScenarioReport, ServerName, ServerRun, SERVERS, toMarkdown } from './report';
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
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before accepting connections`);
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
  throw new Error(`server did not accept connections on port ${port} within ${SERVER_START_TIMEOUT_MS / 1000} s`);
}

function serverCommand(server: ServerName, port: number, childDir: string, dist: string, profileDir: string | undefined): string[] {
  if (server === 'reference') return [join(childDir, 'reference-server.js'), '--port', String(port)];
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return [...profile, join(dist, 'cli', 'main.js'), 'serve', '--port', String(port), ...OUR_SERVER_FLAGS];
}

/** Sends SIGTERM, then SIGKILL if the process has not exited in time. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** `profileDir`: where our server writes a CPU profile when it exits, if it should. */
async function runOne(scenario: Scenario, server: ServerName, childDir: string, dist: string, profileDir: string | undefined): Promise<ServerRun> {
  const port = await freePort();
  const loadAverage = loadavg()[0];
  const serverProcess = spawn(process.execPath, serverCommand(server, port, childDir, dist, profileDir), {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  serverProcess.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  let generator: ChildProcess | undefined;
  try {
    await waitForPort(port, serverProcess);
    await sleep(SERVER_SETTLE_MS);
    generator = fork(join(childDir, 'load.js'), [], {
      execArgv: [`--max-old-space-size=${GENERATOR_HEAP_MIB}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const result = await generatorResult(generator, scenario, port, serverProcess.pid!);
    return { result, serverStderr: stderr, loadAverage };
  } catch (err) {
    const exit = serverProcess.exitCode ?? serverProcess.signalCode;
    const error = exit === null ? (err as Error).message : `the server exited (${exit}) during the run; ${(err as Error).message}`;
    return { error, serverStderr: stderr, loadAverage };
  } finally {
    // The server goes first: clients closing while it runs would set off a storm of `left` notices.
    await stop(serverProcess);
    if (generator) {
      generator.send({ type: 'exit' }, () => {});
      await stopAfter(generator, STOP_TIMEOUT_MS);
    }
  }
}

/** Waits for the generator's result, printing its progress; rejects if it crashes or hangs. */
function generatorResult(generator: ChildProcess, scenario: Scenario, port: number, serverPid: number): Promise<LoadResult> {
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
    const request: LoadRequest = { type: 'run', scenario, port, serverPid };
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

function summary(run: ServerRun): string {
  const r = run.result;
  if (!r) return `no result: ${run.error}`;
  const latency = r.latencyMs ? `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms` : 'no latency';
  const status = r.ok ? 'ok' : `FAILED: ${r.failures.join('; ')}`;
  return `${status} · ${r.deliveries.perSecond.toLocaleString('en-US')} deliveries/s · ${latency} · server CPU ${r.serverCpu.sendPercent}% · generator CPU ${r.generatorCpu.sendPercent}% · peak RSS ${(r.serverMemoryKiB.peak / 1024).toFixed(1)} MiB`;
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
  const scenarios = selectScenarios(options);
  let buildNote = '';
  if (options.build) {
    log('building the server (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    buildNote = buildProblem(build.status, join(ROOT, 'dist'), 'the working tree');
  }
  const childDir = compileChildren();
  const profileDir = join(tmpdir(), `chat-bench-profiles-${process.pid}`);
  const loadAverage = loadavg();
  const reports: ScenarioReport[] = [];
  let dist = options.dist;
  let commit = options.dist === join(ROOT, 'dist') ? describeCommit() + buildNote : `our server from ${options.dist}`;
  try {
    if (options.commit) ({ dist, commit } = buildCommit(options.commit, join(childDir, 'server')));
    for (const scenario of scenarios) {
      log(`\n${scenario.name}: ${scenario.description}`);
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
