/**
 * The yardstick: the simplest broadcast chat server one would write by hand with Node's `net`.
 * The first line a client sends is its name; every later line is sent as `name: text` to every
 * client that has a name, the sender included. Plain `socket.write`, nothing else: no cork, no
 * noDelay, no limits, no backpressure.
 *
 * Usage: node reference-server.js --port <port>   (prints `listening on 127.0.0.1:<port>` on stderr)
 */
import { createServer, Socket } from 'net';

const HOST = '127.0.0.1';

const portArg = process.argv.indexOf('--port');
const port = portArg === -1 ? NaN : Number(process.argv[portArg + 1]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('reference-server: --port <0..65535> is required\n');
  process.exit(1);
}

const named = new Set<Socket>();

const server = createServer((socket) => {
  let name: string | undefined;
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (name === undefined) {
        name = line;
        named.add(socket);
      } else {
        const out = `${name}: ${line}\n`;
        for (const peer of named) peer.write(out);
      }
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => named.delete(socket));
});

server.listen(port, HOST, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stderr.write(`listening on ${HOST}:${actual}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
