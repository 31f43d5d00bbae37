import { createInterface, Interface } from 'readline';
import type { Argv } from 'yargs';
import { readCaFile } from '../client/certificate-file';
import { ChatClient, ChatClientError, ChatClientOptions, createChatClient, isUntrustedCertificate } from '../client/chat-client';
import { startChatUi } from '../client/chat-ui';
import { FIRST_ANSWER_TIMEOUT_MS, runLineMode } from '../client/line-mode';
import {
  DEFAULT_GOODBYE_WAIT_MS,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_RECONNECT_DELAY_MS,
  DEFAULT_SCROLLBACK_LINES,
} from '../client/limits';
import { createChatView } from '../client/view';
import { DEFAULT_HOST, DEFAULT_PORT } from '../protocol/limits';
import { hostAddress, positiveInteger, serverPort } from './validate';

/**
 * `chat join` flags. `--host` and `--port` have no yargs default on purpose: when they are missing
 * and the terminal is interactive, the user is asked, with the defaults offered.
 */
export function joinOptions(yargs: Argv) {
  return yargs
    .option('host', { type: 'string', describe: `Server address (asked for when missing; default ${DEFAULT_HOST})`, coerce: (v: string) => hostAddress(v) })
    .option('port', { type: 'number', describe: `Server port (asked for when missing; default ${DEFAULT_PORT})`, coerce: (v: number) => serverPort(v) })
    .option('name', { type: 'string', describe: 'Your name in the chat (asked for when missing)' })
    .option('tls', { type: 'boolean', default: false, describe: 'Connect with TLS (to a server started with --tls-cert/--tls-key)' })
    .option('ca', { type: 'string', describe: "Trust this certificate (PEM): the server's own, or the CA that signed it; implies --tls" })
    .option('scrollback', { type: 'number', default: DEFAULT_SCROLLBACK_LINES, describe: 'Lines of chat kept for scrolling back', coerce: positiveInteger('--scrollback') })
    .option('goodbye-wait-ms', { type: 'number', default: DEFAULT_GOODBYE_WAIT_MS, describe: "How long quitting waits for the server's goodbye, in ms", coerce: positiveInteger('--goodbye-wait-ms') })
    .option('answer-timeout-ms', { type: 'number', default: FIRST_ANSWER_TIMEOUT_MS, describe: 'Line mode: how long the server may leave the first name unanswered before chat join exits 1 (it is not a chat server), in ms', coerce: positiveInteger('--answer-timeout-ms') })
    .option('reconnect-delay-ms', { type: 'number', default: DEFAULT_RECONNECT_DELAY_MS, describe: 'First wait before reconnecting after the connection is lost, in ms (doubles each try)', coerce: positiveInteger('--reconnect-delay-ms') })
    .option('max-reconnect-delay-ms', { type: 'number', default: DEFAULT_MAX_RECONNECT_DELAY_MS, describe: 'Longest wait between reconnection attempts, in ms', coerce: positiveInteger('--max-reconnect-delay-ms') })
    .example('$0 join', 'Ask for the server and your name, then chat')
    .example('$0 join --host 127.0.0.1 --port 53000 --name alice', 'Join directly')
    .example('$0 join --tls --ca server-cert.pem', 'Join a TLS server whose certificate is self-signed')
    .example('echo "hello" | $0 join --name bot', 'Line mode: send lines from a pipe, print the chat');
}

type JoinArgs = Awaited<ReturnType<typeof joinOptions>['argv']>;

/**
 * Joins a chat: the full-screen UI when stdin and stdout are a terminal, line mode otherwise.
 * Exits the process when done: 0 after quitting.
 */
export async function join(args: JoinArgs): Promise<void> {
  const clientOptions: ChatClientOptions = {
    reconnectDelayMs: args.reconnectDelayMs,
    maxReconnectDelayMs: Math.max(args.maxReconnectDelayMs, args.reconnectDelayMs),
    goodbyeWaitMs: args.goodbyeWaitMs,
    tls: tlsOption(args.tls, args.ca),
  };
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    const client = createChatClient({ ...clientOptions, host: args.host ?? DEFAULT_HOST, port: args.port ?? DEFAULT_PORT });
    try {
      await client.connect();
    } catch (err) {
      const hint = certificateHint(err);
      process.stderr.write(`chat join: ${(err as Error).message}${hint ? `. ${hint}` : ''}\n`);
      process.exit(1);
    }
    const code = await runLineMode({ client, input: process.stdin, output: process.stdout, errors: process.stderr, name: args.name, answerTimeoutMs: args.answerTimeoutMs });
    await flush(process.stdout);
    process.exit(code);
  }

  const client = await connectInteractively(args.host, args.port, clientOptions);
  const ui = startChatUi({ client, view: createChatView({ title: `chat ${client.address}` }), name: args.name, scrollback: args.scrollback });
  // Closing the terminal (SIGHUP) quits like /quit. Reading or writing a terminal that is gone fails
  // with EIO: that is the same hang-up arriving another way, not a crash.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void ui.quit());
  process.stdout.on('error', () => void ui.quit());
  process.stdin.on('error', () => void ui.quit());
  await ui.done;
  process.exit(0);
}

/**
 * The client's TLS option from `--tls` and `--ca`; exits with a clear message when the CA file cannot
 * be used, before anything is asked or connected.
 */
function tlsOption(tls: boolean, ca: string | undefined): ChatClientOptions['tls'] {
  if (ca === undefined) return tls;
  try {
    return { ca: readCaFile(ca) };
  } catch (err) {
    process.stderr.write(`chat join: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** What to do about a certificate that was not trusted, or nothing for any other failure. */
function certificateHint(err: unknown): string {
  if (!(err instanceof ChatClientError) || !isUntrustedCertificate(err.socketCode)) return '';
  return 'If you trust this server, pass its certificate (or the CA that signed it) with --ca FILE.';
}

/**
 * Connects, asking for whatever is missing: the host and port when not given, and both again (the
 * last answers offered as defaults) when the connection is refused, saying why.
 */
async function connectInteractively(
  host: string | undefined,
  port: number | undefined,
  clientOptions: ChatClientOptions,
): Promise<ChatClient> {
  let prompts: Interface | undefined;
  let askHost = host === undefined;
  let askPort = port === undefined;
  try {
    for (;;) {
      if (askHost || askPort) prompts ??= openPrompts();
      if (askHost) host = await ask(prompts!, 'Server address', host ?? DEFAULT_HOST, (answer) => hostAddress(answer, 'the address'));
      if (askPort) port = await ask(prompts!, 'Port', String(port ?? DEFAULT_PORT), (answer) => parsePort(answer));
      const client = createChatClient({ ...clientOptions, host, port });
      process.stdout.write(`Connecting to ${client.address}…\n`);
      try {
        await client.connect();
        return client;
      } catch (err) {
        const hint = certificateHint(err) || 'Check the address and port, or start a server with: chat serve';
        process.stdout.write(`${(err as Error).message}. ${hint}\n`);
        askHost = askPort = true;
      }
    }
  } finally {
    prompts?.close();
  }
}

/**
 * Line prompts in the terminal's own cooked mode: it echoes and edits, and Ctrl+C is a plain SIGINT.
 * `terminal: false` matters: in terminal mode readline installs a keypress decoder on stdin that
 * stays after it closes, and blessed's own decoder would then see every key twice.
 */
function openPrompts(): Interface {
  return createInterface({ input: process.stdin, output: process.stdout, terminal: false });
}

/** Asks until `check` accepts the answer; an empty answer takes the default. Exits on end of input. */
async function ask<T>(prompts: Interface, question: string, fallback: string, check: (answer: string) => T): Promise<T> {
  for (;;) {
    const answer = await new Promise<string | null>((resolve) => {
      const onClose = () => resolve(null);
      prompts.once('close', onClose);
      prompts.question(`${question} [${fallback}]: `, (text) => {
        prompts.off('close', onClose);
        resolve(text);
      });
    });
    if (answer === null) {
      process.stdout.write('\n');
      process.stderr.write('chat join: no answer given; not joining\n');
      process.exit(1);
    }
    try {
      return check(answer.trim() === '' ? fallback : answer.trim());
    } catch (err) {
      process.stdout.write(`That will not work: ${(err as Error).message}.\n`);
    }
  }
}

function parsePort(answer: string): number {
  if (!/^\d+$/.test(answer)) throw new Error(`the port must be a whole number from 1 to 65535 (got ${JSON.stringify(answer.slice(0, 20))})`);
  return serverPort(Number(answer), 'the port');
}

function flush(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
