import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { connect, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { describeNeeding } from '../support/needs-command';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * The clients of the original chat programs (../shared/original-clients/README.md) send the name and
 * each message as one write with no line end, and wait: our server must take each write as a line.
 * These specs drive the real client with python3, and the same wire behaviour from raw sockets.
 */

const ORIGINALS = join(__dirname, '../../../shared/original-clients');

/** Between a person's writes: well past the server's pause (DEFAULT_LINE_IDLE_MS, 200 ms), as the issue says. */
const TYPING_GAP_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket that writes exactly what it is given, as the Python clients' `send` does: no line end added. */
class RawClient {
  received = '';
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  async waitFor(text: string): Promise<void> {
    await eventually(() => this.received.includes(text), `${JSON.stringify(text)} in ${JSON.stringify(this.received.slice(-300))}`);
  }
}

describe('clients that send no line ends (the original programs\' clients)', () => {
  let t: TestServer;
  let watcher: LineClient;
  beforeEach(async () => {
    // The default rate limit: these are people typing, not a load test.
    t = await startTestServer({ closeGraceMs: 500, ratePerSecond: 5, burst: 10 });
    watcher = await t.text('watcher');
  });
  afterEach(() => t.stop());

  it('takes the name, then each write a few hundred ms apart, as separate lines; {quit} ends the session', async () => {
    const giulia = await RawClient.open(t.port);
    await giulia.waitFor('Type your name');
    const from = watcher.lines.length;
    giulia.write('giulia');
    await watcher.waitForLine((line) => line === '*** giulia joined #lobby', from);
    await giulia.waitFor('Welcome, giulia!');
    giulia.write('ciao a tutti');
    await sleep(TYPING_GAP_MS);
    giulia.write('come state?');
    await watcher.waitForLine((line) => line === 'giulia: come state?', from);
    giulia.write('{quit}');
    await watcher.waitForLine((line) => line === '*** giulia left the chat', from);
    await eventually(() => giulia.closed, 'the server to close giulia');
    const said = watcher.lines.slice(from).filter((line) => line.startsWith('giulia'));
    expect(said).toEqual(['giulia: ciao a tutti', 'giulia: come state?']);
    expect(giulia.received).toContain('giulia: ciao a tutti');
  });

  it('refuses a taken name and takes the next write as the next name', async () => {
    const client = await RawClient.open(t.port);
    client.write('watcher');
    await client.waitFor('*** Error: name "watcher" is taken; try another');
    client.write('watcher2');
    await client.waitFor('Welcome, watcher2!');
    const from = watcher.lines.length;
    client.write('eccomi');
    expect(await watcher.waitForLine((line) => line.startsWith('watcher2:'), from)).toBe('watcher2: eccomi');
  });

  it('serves a client that ends lines with a lone CR, or CR NUL (telnet), as a line client', async () => {
    const cr = await RawClient.open(t.port);
    cr.write('crlone\r');
    await cr.waitFor('Welcome, crlone!');
    const from = watcher.lines.length;
    cr.write('one\rtwo\r');
    // A line client: a line arriving in slow pieces is not cut at the pause.
    cr.write('thr');
    await sleep(TYPING_GAP_MS);
    cr.write('ee\r');
    await watcher.waitForLine((line) => line === 'crlone: three', from);

    const telnet = await RawClient.open(t.port);
    telnet.write(Buffer.from('crnul\r\0hi there\r\0', 'latin1'));
    await watcher.waitForLine((line) => line === 'crnul: hi there', from);
    const said = watcher.lines.slice(from).filter((line) => /^(crlone|crnul):/.test(line));
    expect(said).toEqual(['crlone: one', 'crlone: two', 'crlone: three', 'crnul: hi there']);
  });

  it('never cuts a line client\'s line at a pause: slow pieces make one message', async () => {
    const slow = await LineClient.textUser(t.port, 'slowpoke');
    const from = watcher.lines.length;
    for (const piece of ['slow ', 'but ', 'whole\n']) {
      slow.socket.write(piece);
      await sleep(TYPING_GAP_MS);
    }
    expect(await watcher.waitForLine((line) => line.startsWith('slowpoke:'), from)).toBe('slowpoke: slow but whole');
    slow.close();
  });

  it('logs why a connection that never chose a name ended, with its address', async () => {
    const quiet = await startTestServer({ registerTimeoutMs: 300 });
    try {
      const idle = await LineClient.open(quiet.port);
      const idleAddress = `127.0.0.1:${idle.socket.localPort}`;
      await idle.waitForClose();
      const refused = await RawClient.open(quiet.port);
      const refusedAddress = `127.0.0.1:${refused.socket.localPort}`;
      refused.write('not a name!');
      await refused.waitFor('Error');
      refused.socket.destroy();
      const tlsHello = await RawClient.open(quiet.port);
      const tlsAddress = `127.0.0.1:${tlsHello.socket.localPort}`;
      tlsHello.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]));
      const logged = (address: string) => quiet.logs.find((line) => line.includes(`disconnect ${address}`));
      await eventually(() => [idleAddress, refusedAddress, tlsAddress].every((address) => logged(address) !== undefined), 'the disconnects in the log');
      expect(logged(idleAddress)).toMatch(/info .*without a name: register_timeout: No name was chosen within 0.3 s/);
      expect(logged(refusedAddress)).toMatch(/info .*without a name: the client closed the connection after an error \(last: name_invalid\)/);
      expect(logged(tlsAddress)).toMatch(/info .*without a name: not_chat: This port speaks plain text, not TLS/);
    } finally {
      await quiet.stop();
    }
  });
});

describeNeeding('python3', 'install it to run them: apt-get install python3', 'the original clients, run with python3', () => {
  let t: TestServer;
  let watcher: LineClient;
  let workDir: string;
  const running: CliProcess[] = [];
  beforeEach(async () => {
    t = await startTestServer({ closeGraceMs: 500, ratePerSecond: 5, burst: 10 });
    watcher = await t.text('watcher');
    workDir = mkdtempSync(join(tmpdir(), 'chat-original-'));
  });
  afterEach(async () => {
    for (const process of running.splice(0)) process.kill();
    await t.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The report's client exactly as printed, but for its `PORT = 9090` line, as its README says. */
  function startReportClient(): CliProcess {
    const source = readFileSync(join(ORIGINALS, 'report_client.py'), 'utf8');
    const portLine = /^PORT = 9090$/m;
    expect(source).toMatch(portLine);
    const script = join(workDir, 'report_client.py');
    writeFileSync(script, source.replace(portLine, `PORT = ${t.port}`));
    const client = new CliProcess(spawn('python3', ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'] }));
    running.push(client);
    return client;
  }

  /** Types a line at the client's prompt, as a person would (Python's input() reads it). */
  const type = (client: CliProcess, line: string) => client.child.stdin!.write(`${line}\n`);

  it('report_client.py: joins, chats both ways, and leaves with {quit}', async () => {
    const client = startReportClient();
    const from = watcher.lines.length;
    type(client, 'giulia');
    await watcher.waitForLine((line) => line === '*** giulia joined #lobby', from);
    await eventually(() => client.stdout.includes('Welcome, giulia!'), "the welcome in the client's output");
    type(client, 'ciao a tutti');
    await sleep(TYPING_GAP_MS);
    type(client, 'come state?');
    await watcher.waitForLine((line) => line === 'giulia: come state?', from);
    watcher.send('bene, grazie');
    await eventually(() => client.stdout.includes('watcher: bene, grazie'), "watcher's line in the client's output");
    type(client, '{quit}');
    await watcher.waitForLine((line) => line === '*** giulia left the chat', from);
    await eventually(() => client.stdout.includes('Connessione al server chiusa.'), 'the client to see the server close');
    expect(watcher.lines.slice(from).filter((line) => line.startsWith('giulia:'))).toEqual(['giulia: ciao a tutti', 'giulia: come state?']);
  });

  it('report_client.py: a taken name is refused, and the next line typed is the next name', async () => {
    const client = startReportClient();
    type(client, 'watcher');
    await eventually(() => client.stdout.includes('name "watcher" is taken'), "the refusal in the client's output");
    const from = watcher.lines.length;
    type(client, 'giulia');
    await watcher.waitForLine((line) => line === '*** giulia joined #lobby', from);
    type(client, 'eccomi');
    expect(await watcher.waitForLine((line) => line.startsWith('giulia:'), from)).toBe('giulia: eccomi');
  });

  it('the tkinter client\'s wire behaviour (tk_client_headless.py): chats, and closing the window sends {quit}', async () => {
    const client = new CliProcess(
      spawn('python3', ['-u', join(ORIGINALS, 'tk_client_headless.py'), '127.0.0.1', String(t.port)], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    running.push(client);
    const from = watcher.lines.length;
    type(client, 'marco');
    await watcher.waitForLine((line) => line === '*** marco joined #lobby', from);
    type(client, 'salve');
    await watcher.waitForLine((line) => line === 'marco: salve', from);
    client.child.stdin!.end(); // the window is closed: the client sends {quit} and waits for the last words
    await watcher.waitForLine((line) => line === '*** marco left the chat', from);
    expect(await client.exited).toBe(0);
    expect(client.stdout).toContain('[client closed]');
  });
});
