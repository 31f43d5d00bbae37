/**
 * What the example bots share: their command line and their start. A bot creates its client with
 * `createBotClient`, subscribes to what it reacts to, then calls `startBot`. Everything here is the
 * public client library (`createChatClient`) and yargs; copy it along with a bot to start your own.
 */
import { filter, firstValueFrom } from 'rxjs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
// In your own project: from 'rxchat'. Here, '../src' is that package's entry point, unbuilt.
import { ChatClient, createChatClient, readCaFile, roomKey } from '../src';

/** The flags every bot takes; a bot adds its own with `.option(...)` before `.parseSync()`. */
export function botCommandLine(script: string, defaultName: string) {
  return yargs(hideBin(process.argv))
    .scriptName(`npx tsx examples/${script}.ts`)
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Server address' })
    .option('port', { type: 'number', default: 53000, describe: 'Server port', coerce: checkPort })
    .option('name', { type: 'string', default: defaultName, describe: 'The name the bot chats under' })
    .option('tls', { type: 'boolean', default: false, describe: 'Connect with TLS' })
    .option('ca', { type: 'string', describe: "Trust this certificate (PEM), the server's or its CA's; implies --tls" })
    .strict()
    .help();
}

export interface BotConnection {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly ca?: string;
}

/** A client for the flags; nothing is connected until `startBot`. Exits 1 when the CA file is unusable. */
export function createBotClient({ name, host, port, tls, ca }: BotConnection): ChatClient {
  try {
    return createChatClient({ host, port, tls: ca !== undefined ? { ca: readCaFile(ca) } : tls });
  } catch (err) {
    return fail(name, err);
  }
}

/**
 * Connects, takes `name`, joins `rooms` (besides #lobby, where everybody starts) and says so on
 * stderr; from then on the client reconnects by itself. Ctrl+C and SIGTERM quit politely. Exits 1 with
 * the reason when the server cannot be reached, the name is refused or a room cannot be joined.
 * Resolves with the rooms' names as the server spells them.
 */
export async function startBot(client: ChatClient, name: string, rooms: readonly string[] = []): Promise<string[]> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void client.quit().then(() => process.exit(0)));
  client.events$.subscribe((event) => {
    if (event.type === 'error') log(name, `the server said: ${event.message}`);
    if (event.type === 'connection' && event.state.status === 'reconnecting') log(name, `connection lost (${event.state.reason}); trying again`);
  });
  try {
    await client.connect();
    await client.register(name);
    const joined: string[] = [];
    for (const room of rooms) joined.push(await enter(client, room));
    log(name, `ready in ${[...client.rooms.rooms.values()].map((r) => r.room).join(', ')} as ${client.name} on ${client.address}`);
    return joined;
  } catch (err) {
    return fail(name, err);
  }
}

/** Joins `room` and resolves with its name as the server spells it, or rejects with the server's reason. */
async function enter(client: ChatClient, room: string): Promise<string> {
  const wanted = room.startsWith('#') ? room : `#${room}`;
  // Subscribed before sending: the answer may come back before `send` returns to us.
  const answer = firstValueFrom(
    client.events$.pipe(filter((e) => (e.type === 'entered' && roomKey(e.room) === roomKey(wanted)) || e.type === 'error')),
  );
  client.send({ type: 'join', room: wanted });
  const event = await answer;
  if (event.type === 'error') throw new Error(`cannot join ${wanted}: ${event.message}`);
  return event.type === 'entered' ? event.room : wanted;
}

export function sameRoom(a: string, b: string): boolean {
  return roomKey(a) === roomKey(b);
}

export function log(name: string, text: string): void {
  process.stderr.write(`${name}: ${text}\n`);
}

function fail(name: string, err: unknown): never {
  log(name, (err as Error).message);
  process.exit(1);
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be a whole number from 1 to 65535 (got ${port})`);
  return port;
}
