import { get } from 'http';
import { startTestServer, TestServer } from '../support/test-server';

function scrape(port: number, path = '/metrics'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The value of one sample line, e.g. `chat_users 2` or `chat_leaves_total{reason="quit"} 1`. */
function sample(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('Prometheus metrics', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ metricsPort: 0, ratePerSecond: 1, burst: 2, floodDisconnectAfter: 1000 });
  });
  afterEach(() => t.stop());

  it('exposes connections, users, rooms, traffic, rate limiting and leaves by reason', async () => {
    const metricsPort = t.server.metricsAddress()!.port;
    const alice = await t.json('alice');
    const bob = await t.text('bob');
    await t.open();
    alice.sendJson({ type: 'join', room: '#dev' });
    await alice.waitForJson((f) => f.type === 'entered');
    alice.sendJson({ type: 'say', text: 'one' });
    alice.sendJson({ type: 'say', text: 'two' });
    await alice.waitForJson((f) => f.code === 'rate_limited');
    bob.send('/quit');
    await bob.waitForClose();
    await alice.waitForJson((f) => f.type === 'left');

    const { status, body } = await scrape(metricsPort);
    expect(status).toBe(200);
    expect(sample(body, 'chat_connections')).toBe(2);
    expect(sample(body, 'chat_users')).toBe(1);
    expect(sample(body, 'chat_rooms')).toBe(2);
    expect(sample(body, 'chat_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'chat_frames_in_total')).toBeGreaterThanOrEqual(5);
    expect(sample(body, 'chat_frames_out_total')).toBeGreaterThanOrEqual(5);
    expect(sample(body, 'chat_bytes_in_total')).toBeGreaterThan(0);
    expect(sample(body, 'chat_bytes_out_total')).toBeGreaterThan(0);
    expect(sample(body, 'chat_dropped_messages_total')).toBe(0);
    expect(sample(body, 'chat_gaps_total')).toBe(0);
    expect(sample(body, 'chat_leaves_total{reason="quit"}')).toBe(1);
    expect(body).toContain('chat_process_resident_memory_bytes');
  });

  it('answers other paths with 404', async () => {
    const { status } = await scrape(t.server.metricsAddress()!.port, '/');
    expect(status).toBe(404);
  });
});
