import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LeaveReason } from '../protocol/frames';
import { Logger } from '../support/logger';

/**
 * Plain counters of the server's traffic. Connections bump these integers on the hot path (a few
 * nanoseconds each); Prometheus metrics read them only when scraped.
 */
export interface TrafficCounters {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Chat messages dropped for slow readers. */
  droppedMessages: number;
  /** Gap notices sent to slow readers. */
  gaps: number;
  /** Frames refused by flood control. */
  rateLimited: number;
  /** Users who left the chat, by reason. */
  leaves: Partial<Record<LeaveReason, number>>;
}

export function createTrafficCounters(): TrafficCounters {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, droppedMessages: 0, gaps: 0, rateLimited: 0, leaves: {} };
}

/** What the metrics read when Prometheus scrapes. */
export interface MetricSources {
  readonly traffic: TrafficCounters;
  connections(): number;
  users(): number;
  rooms(): number;
  pendingBytes(): number;
}

/**
 * The server's Prometheus registry: gauges and counters that read `sources` at scrape time, plus
 * Node's process metrics (CPU, memory, event-loop lag). Each server has its own registry, so several
 * servers can live in one process.
 */
export function createMetricsRegistry(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chat_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('chat_connections', 'Open client connections, named or not', () => sources.connections());
  gauge('chat_users', 'Users with a name', () => sources.users());
  gauge('chat_rooms', 'Rooms with somebody in them', () => sources.rooms());
  gauge('chat_pending_bytes', 'Output waiting for slow readers, in bytes', () => sources.pendingBytes());

  const { traffic } = sources;
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name, help, registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('chat_frames_in_total', 'Frames (lines) received from clients', () => traffic.framesIn);
  counter('chat_frames_out_total', 'Frames (lines) written to clients', () => traffic.framesOut);
  counter('chat_bytes_in_total', 'Bytes received from clients', () => traffic.bytesIn);
  counter('chat_bytes_out_total', 'Bytes written to clients', () => traffic.bytesOut);
  counter('chat_dropped_messages_total', 'Chat messages dropped for slow readers', () => traffic.droppedMessages);
  counter('chat_gaps_total', 'Gap notices sent to slow readers', () => traffic.gaps);
  counter('chat_rate_limited_total', 'Frames refused by flood control', () => traffic.rateLimited);
  new Counter({
    name: 'chat_leaves_total',
    help: 'Users who left the chat, by reason (quit, disconnect, too_slow, flood, timeout, ...)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(traffic.leaves)) this.inc({ reason }, count);
    },
  });
  return registry;
}

/** Serves `GET /metrics` in Prometheus text format. Resolves once listening. */
export function serveMetrics(registry: Registry, host: string, port: number, log: Logger): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err: Error) => log.error(`metrics server error: ${err.message}`));
      const address = server.address() as AddressInfo;
      log.info(`metrics on http://${address.address}:${address.port}/metrics`);
      resolve(server);
    });
  });
}
