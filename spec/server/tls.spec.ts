import { connect as tlsConnect, TLSSocket } from 'tls';
import { CliProcess } from '../support/cli-process';
import { createTestCertificate, TestCertificate } from '../support/certificate';
import { LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

function connectTls(port: number, ca: Buffer): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = tlsConnect({ port, host: '127.0.0.1', ca }, () => resolve(LineClient.fromSocket(socket)));
    socket.once('error', reject);
  });
}

describe('TLS', () => {
  let certificate: TestCertificate;
  let t: TestServer | undefined;
  const clients: LineClient[] = [];
  beforeAll(() => {
    certificate = createTestCertificate();
  });
  afterAll(() => certificate.remove());
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await t?.stop();
    t = undefined;
  });

  it('serves the same chat over TLS to clients that trust the certificate', async () => {
    t = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    const alice = await connectTls(t.port, certificate.cert);
    const bob = await connectTls(t.port, certificate.cert);
    clients.push(alice, bob);
    alice.send('alice');
    bob.sendJson({ type: 'hello', name: 'bob' });
    await alice.waitForLine((line) => line.includes('Welcome, alice!'));
    await bob.waitForJson((f) => f.type === 'welcome');
    bob.sendJson({ type: 'say', text: 'secret' });
    await alice.waitForLine((line) => line === 'bob: secret');
  });

  it('refuses a client that does not trust the certificate, and carries on', async () => {
    t = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    await expect(connectTls(t.port, Buffer.from(''))).rejects.toThrow();
    const alice = await connectTls(t.port, certificate.cert);
    clients.push(alice);
    alice.send('alice');
    await alice.waitForLine((line) => line.includes('Welcome, alice!'));
  });

  it('chat serve --tls-cert --tls-key serves TLS', async () => {
    const { process: serve, port } = await CliProcess.serve(['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath]);
    try {
      const alice = await connectTls(port, certificate.cert);
      clients.push(alice);
      alice.send('alice');
      await alice.waitForLine((line) => line.includes('Welcome, alice!'));
    } finally {
      serve.kill();
    }
  });

  it.each([
    // A command-line mistake exits 2; a file that cannot be used exits 1.
    [['--tls-cert', 'cert.pem'], /--tls-cert and --tls-key go together/, 2],
    [['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], /cannot read the TLS certificate or key/, 1],
  ])('chat serve %j fails with a clear message', async (flags, message, code) => {
    const serve = CliProcess.run(['serve', '--port', '0', ...flags]);
    try {
      expect(await serve.exited).toBe(code);
      expect(serve.stderr).toMatch(message);
    } finally {
      serve.kill();
    }
  });

  it('chat serve with a key that does not match the certificate fails with a clear message', async () => {
    const other = createTestCertificate();
    const serve = CliProcess.run(['serve', '--port', '0', '--tls-cert', certificate.certPath, '--tls-key', other.keyPath]);
    try {
      expect(await serve.exited).toBe(1);
      expect(serve.stderr).toMatch(/invalid TLS certificate or key/);
    } finally {
      serve.kill();
      other.remove();
    }
  });
});
