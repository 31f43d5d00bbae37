import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readCaFile } from '../../src/client/certificate-file';
import { ChatClientError, ClientEvent, createChatClient } from '../../src/client/chat-client';
import { createTestCertificate, TestCertificate } from '../support/certificate';
import { CliProcess } from '../support/cli-process';
import { eventually } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';
import { joinedClient, quitAll, recordClient } from './client-helpers';

const closedWith = (pattern: RegExp) => (event: ClientEvent) =>
  event.type === 'connection' && event.state.status === 'closed' && pattern.test(event.state.reason);

describe('the client over TLS', () => {
  let certificate: TestCertificate;
  let stranger: TestCertificate;
  let server: TestServer | undefined;
  beforeAll(() => {
    certificate = createTestCertificate();
    stranger = createTestCertificate();
  });
  afterAll(() => {
    certificate.remove();
    stranger.remove();
  });
  afterEach(async () => {
    await quitAll();
    await server?.stop();
    server = undefined;
  });

  const tlsServer = async () => (server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } }));

  it('chats with a TLS server whose certificate it was told to trust', async () => {
    const { port } = await tlsServer();
    const alice = await joinedClient(port, 'alice', { tls: { ca: certificate.cert } });
    const bob = await joinedClient(port, 'bob', { tls: { ca: readCaFile(certificate.certPath) } });
    expect(alice.client.secure).toBe(true);
    alice.client.say('over TLS');
    await bob.waitFor((e) => e.type === 'message' && e.from === 'alice' && e.text === 'over TLS', 'the message over TLS');
    bob.client.send({ type: 'msg', to: 'alice', text: 'psst' });
    await alice.waitFor((e) => e.type === 'private' && e.from === 'bob' && e.text === 'psst', 'the private message over TLS');
  });

  it.each([
    ['no certificate to trust (only the system CAs)', () => ({ tls: true as const })],
    ['another certificate to trust', () => ({ tls: { ca: stranger.cert } })],
  ])('refuses a self-signed certificate with %s, saying why in the state stream', async (_, options) => {
    const { port } = await tlsServer();
    const alice = recordClient(port, options());
    const failure = await alice.client.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ChatClientError);
    expect((failure as ChatClientError).code).toBe('connect_failed');
    expect((failure as ChatClientError).socketCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const reason = `cannot connect to 127.0.0.1:${port}: the server's certificate is not trusted: it is self-signed`;
    expect((failure as Error).message).toBe(reason);
    expect(alice.client.state).toEqual({ status: 'closed', reason });
    await alice.waitFor(closedWith(/certificate is not trusted: it is self-signed$/), 'the closed state');
  });

  it('refuses a trusted certificate made out to another name', async () => {
    const { port } = await tlsServer();
    const alice = recordClient(port, { tls: { ca: certificate.cert, servername: 'chat.example.org' } });
    await expect(alice.client.connect()).rejects.toThrow(/certificate is not trusted: it is for another name \(.*chat\.example\.org/);
  });

  it('connects to an untrusted server when told to accept any certificate', async () => {
    const { port } = await tlsServer();
    const alice = await joinedClient(port, 'alice', { tls: { rejectUnauthorized: false } });
    expect(alice.client.state).toEqual({ status: 'registered', name: 'alice' });
  });

  it('says so when the server does not speak TLS', async () => {
    server = await startTestServer();
    const alice = recordClient(server.port, { tls: { ca: certificate.cert } });
    await expect(alice.client.connect()).rejects.toThrow(`cannot connect to 127.0.0.1:${server.port}: the server does not speak TLS on this port (connect without TLS)`);
  });

  it('hints at TLS when a plain connection to a TLS server is closed without a word', async () => {
    const { port } = await tlsServer();
    const alice = recordClient(port, { reconnectDelayMs: 5_000, maxReconnectDelayMs: 5_000 });
    await alice.client.connect();
    // The server takes the hello for a broken handshake and hangs up; the client will try again later.
    const registration = alice.client.register('alice').catch((err: ChatClientError) => err.code);
    await alice.waitFor(
      (e) => e.type === 'connection' && e.state.status === 'reconnecting' && /without a word \(does it expect TLS\?\)/.test(e.state.reason),
      'the lost connection, with the hint',
    );
    await alice.client.quit();
    expect(await registration).toBe('closed');
  });
});

describe('readCaFile', () => {
  let certificate: TestCertificate;
  let dir: string;
  beforeAll(() => {
    certificate = createTestCertificate();
    dir = mkdtempSync(join(tmpdir(), 'chat-ca-'));
  });
  afterAll(() => {
    certificate.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a PEM certificate', () => {
    expect(readCaFile(certificate.certPath)).toEqual(certificate.cert);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.pem'), /^cannot read the CA file ".*missing\.pem": no such file$/],
    ['a directory', () => dir, /^cannot read the CA file ".*": it is a directory$/],
    ['a device', () => '/dev/zero', /^cannot read the CA file "\/dev\/zero": it is not a regular file$/],
    ['a file that is not PEM', () => write('notes.txt', 'just some text\n'), /holds no certificate \(expected PEM: -----BEGIN CERTIFICATE-----\)$/],
    ['a private key', () => certificate.keyPath, /holds no certificate/],
    ['a broken certificate', () => write('broken.pem', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'), /holds a broken certificate \(number 1\)/],
  ])('explains %s', (_, path, message) => {
    expect(() => readCaFile(path())).toThrow(message);
  });

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }
});

describe('chat join --tls (line mode, the real process)', () => {
  let certificate: TestCertificate;
  let server: TestServer | undefined;
  const processes: CliProcess[] = [];
  beforeAll(() => {
    certificate = createTestCertificate();
  });
  afterAll(() => certificate.remove());
  afterEach(async () => {
    for (const process of processes.splice(0)) process.kill();
    await quitAll();
    await server?.stop();
    server = undefined;
  });

  function run(args: string[]): CliProcess {
    const join = CliProcess.run(['join', ...args]);
    processes.push(join);
    return join;
  }

  it('chats over TLS with --tls --ca FILE', async () => {
    server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    const alice = await joinedClient(server.port, 'alice', { tls: { ca: certificate.cert } });
    const bob = run(['--tls', '--ca', certificate.certPath, '--port', String(server.port), '--name', 'bob']);
    await eventually(() => bob.stdout.includes('*** Welcome, bob!'), `the welcome; stderr: ${bob.stderr}`, 30_000);
    bob.child.stdin!.write('hello over TLS\n');
    await alice.waitFor((e) => e.type === 'message' && e.from === 'bob' && e.text === 'hello over TLS', 'bob’s message');
    alice.client.say('hi bob');
    await eventually(() => bob.stdout.includes('alice: hi bob\n'), 'alice’s message');
    bob.child.stdin!.end();
    expect(await bob.exited).toBe(0);
  });

  it('says why the certificate is not trusted and what to do, and exits 1', async () => {
    server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    const bob = run(['--tls', '--port', String(server.port), '--name', 'bob']);
    expect(await bob.exited).toBe(1);
    expect(bob.stderr).toBe(
      `chat join: cannot connect to 127.0.0.1:${server.port}: the server's certificate is not trusted: it is self-signed. ` +
        'If you trust this server, pass its certificate (or the CA that signed it) with --ca FILE.\n',
    );
  });

  it('exits 1 with a clear message when the CA file cannot be read, before connecting', async () => {
    const bob = run(['--tls', '--ca', '/nonexistent/ca.pem', '--port', '1', '--name', 'bob']);
    expect(await bob.exited).toBe(1);
    expect(bob.stderr).toBe('chat join: cannot read the CA file "/nonexistent/ca.pem": no such file\n');
  });
});

// The client is the only piece that opens sockets; this guards against a TLS option left unused.
it('a client without TLS options is not secure', () => {
  expect(createChatClient({ port: 1 }).secure).toBe(false);
});
