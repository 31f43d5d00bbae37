import { execFile } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * The package as a stranger gets it: `npm pack`, installed into an empty project, used from the
 * package name alone. Slow (a build and an install, tens of seconds), so it has its own timeouts.
 */
const ROOT = join(__dirname, '../..');
/** `npm pack` builds (the `prepare` script) and `npm install` may reach the registry: room for a slow CI machine. */
const SETUP_MS = 240_000;
const STEP_MS = 60_000;

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end; never rejects, so a failing step shows its own output. */
function run(file: string, args: readonly string[], cwd: string, timeout = STEP_MS): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: err !== null && code === null ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

/** Fails with the step's output when it did not exit 0. */
function succeeded(step: string, ran: Ran): Ran {
  if (ran.code !== 0) throw new Error(`${step} exited ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return ran;
}

/** A bot as docs/CLIENT.md tells people to write one, in plain CommonJS, from the package name alone. */
const BOT = (name: string) => `'use strict';
const { createChatClient, createChatServer, displayText } = require(${JSON.stringify(name)});

setTimeout(() => { console.error('bot: still running after 20 s'); process.exit(1); }, 20000).unref();

async function main() {
  const server = createChatServer({ port: 0 });
  const { port } = await server.listen();
  const client = createChatClient({ host: '127.0.0.1', port });
  const echoed = new Promise((resolve) => {
    client.messages$.subscribe((m) => { if (m.from === 'packbot' && !m.history) resolve(m); });
  });
  await client.connect();
  const welcome = await client.register('packbot');
  client.say('hello from the tarball');
  const message = await echoed;
  console.log(welcome.room + ' ' + message.from + ': ' + displayText(message.text));
  await client.quit();
  await server.close();
}

main().catch((err) => { console.error('bot:', err); process.exit(1); });
`;

/** What docs/CLIENT.md imports, typed: compiled against the installed package's declarations. */
const TYPED_BOT = (name: string) => `import { createChatClient, displayText, isUntrustedCertificate, readCaFile, roomKey } from ${JSON.stringify(name)};
import type { ChatClient, ChatClientOptions, ClientEvent } from ${JSON.stringify(name)};
import { createChatServer } from ${JSON.stringify(name)};
import type { ChatServer } from ${JSON.stringify(name)};

const options: ChatClientOptions = { host: '127.0.0.1', port: 53000, tls: { ca: readCaFile('cert.pem') } };
const client: ChatClient = createChatClient(options);
client.events$.subscribe((event: ClientEvent) => {
  if (event.type === 'message') console.log(displayText(event.text), roomKey(event.room));
  if (event.type === 'connection' && event.state.status === 'closed') console.log(isUntrustedCertificate(undefined));
});
const server: ChatServer = createChatServer({ port: 0 });
void server;
`;

describe(`the package (${pkg.name}) as npm pack makes it, installed into an empty project`, () => {
  let work: string;
  /** `npm pack --json`: the tarball's name and the files in it. */
  let packed: { filename: string; files: { path: string }[] };
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'chat-pack-'));
    // Pack a copy of the working tree, built afresh: the repository's own dist/ is left alone (other
    // specs may be using it) and nothing stale in it can be shipped by accident.
    const source = join(work, 'source');
    const skipped = new Set(['node_modules', 'dist', '.git', 'coverage'].map((dir) => join(ROOT, dir)));
    cpSync(ROOT, source, { recursive: true, filter: (path) => !skipped.has(path) });
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');

    const pack = succeeded('npm pack', await run('npm', ['pack', '--json', '--pack-destination', work], source, SETUP_MS));
    // npm prints the lifecycle scripts' output too; the JSON is the array at the end.
    const json = /^\[[\s\S]*\]\s*$/m.exec(pack.stdout)?.[0];
    if (json === undefined) throw new Error(`npm pack printed no JSON:\n${pack.stdout}`);
    [packed] = JSON.parse(json);

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-consumer', version: '1.0.0', private: true }, null, 2));
    succeeded(
      'npm install',
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], app, SETUP_MS),
    );
  }, SETUP_MS * 2);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('has a name of its own on npm (`chat` is another project), and still gives the command `chat`', () => {
    expect(pkg.name).not.toBe('chat');
    expect(Object.keys(pkg.bin)).toEqual(['chat']);
    // The docs tell bot writers to import from this name.
    expect(readFileSync(join(ROOT, 'docs/CLIENT.md'), 'utf8')).toContain(`from '${pkg.name}'`);
  });

  it('ships the build, its types, the docs the README links to, and the licence; no sources or specs', () => {
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'docs/CLIENT.md',
        'docs/PROTOCOL.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
      ]),
    );
    expect(files.filter((file) => /^(src|spec|examples|bench)\//.test(file))).toEqual([]);
    // The README's links to other files point to shipped files, but for those about working on this
    // repository (the benchmark, the sources), which the package does not ship.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((match) => match[1]);
    expect(links).toContain('docs/CLIENT.md');
    for (const link of links.filter((path) => !/^(bench|examples|spec|src)\//.test(path))) expect(files).toContain(link);
    expect(readFileSync(join(app, 'node_modules', pkg.name, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('runs a plain CommonJS bot that requires the client and the server by the package name', async () => {
    writeFileSync(join(app, 'bot.js'), BOT(pkg.name));
    const bot = succeeded('node bot.js', await run(process.execPath, ['bot.js'], app, 30_000));
    expect(bot.stdout).toBe('#lobby packbot: hello from the tarball\n');
  }, STEP_MS);

  it('offers the same names to ES modules, and nothing but its entry point', async () => {
    const esm = succeeded(
      'node --input-type=module',
      await run(
        process.execPath,
        ['--input-type=module', '-e', `import * as m from '${pkg.name}'; console.log(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort().join(' '))`],
        app,
      ),
    );
    expect(esm.stdout.trim().split(' ')).toEqual(
      expect.arrayContaining(['createChatClient', 'createChatServer', 'displayText', 'readCaFile', 'isUntrustedCertificate', 'ChatClientError']),
    );
    // The modules behind the entry point are not promised, so not importable.
    const deep = await run(process.execPath, ['-e', `require('${pkg.name}/dist/client/chat-client')`], app);
    expect(deep.code).not.toBe(0);
    expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  }, STEP_MS);

  it.each([
    ['node16', 'node16'],
    ['preserve', 'bundler'],
  ])('gives TypeScript its types (module %s, moduleResolution %s)', async (module, moduleResolution) => {
    writeFileSync(join(app, 'typed-bot.ts'), TYPED_BOT(pkg.name));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    // @types/node from this repository: the declarations mention Buffer and AddressInfo. Checking
    // every library's declarations too (no --skipLibCheck) takes ten times as long and tests tsc.
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', module, '--moduleResolution', moduleResolution];
    args.push('--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'typed-bot.ts');
    succeeded(`tsc --moduleResolution ${moduleResolution}`, await run(process.execPath, [tsc, ...args], app));
  }, STEP_MS);

  it('installs the `chat` command', async () => {
    const chat = join(app, 'node_modules/.bin/chat');
    expect(existsSync(chat)).toBe(true);
    const help = succeeded('chat --help', await run(chat, ['--help'], app));
    expect(help.stdout).toMatch(/chat serve/);
    expect(help.stdout).toMatch(/chat join/);
  }, STEP_MS);

  it('still runs as `npx chat` inside its own repository, without fetching anything', async () => {
    // `--no`: if the name did not resolve to this package's own command, npx would fail rather than
    // download the registry's `chat`.
    const help = succeeded('npx --no -- chat --help', await run('npx', ['--no', '--', 'chat', '--help'], join(work, 'source')));
    expect(help.stdout).toMatch(/chat serve/);
  }, STEP_MS);
});
