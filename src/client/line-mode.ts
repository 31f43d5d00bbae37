import { createInterface } from 'readline';
import { encodeTextLine } from '../protocol/text-codec';
import { ChatClient, ChatClientError, ConnectionState } from './chat-client';
import { displayText, inertEvent } from './display-text';
import { readInputLine } from './input-line';

/**
 * How long the server may take to answer the first name before line mode decides it is not a chat
 * server (an echo server, a proxy that swallows the line, anything silent): as long as a TCP connect
 * may take, far longer than any chat server needs to say welcome.
 */
export const FIRST_ANSWER_TIMEOUT_MS = 10_000;

export interface LineModeOptions {
  /** A client that has connected. */
  readonly client: ChatClient;
  /** Lines to send; the first ones are names until one is accepted (unless `name` is given and free). */
  readonly input: NodeJS.ReadableStream;
  /** Where chat lines go: messages, joins, leaves, notices, the server's errors. */
  readonly output: NodeJS.WritableStream;
  /** Where connection news and local errors go, so that `output` holds only the chat. */
  readonly errors: NodeJS.WritableStream;
  /** The name to ask for first. */
  readonly name?: string;
  /** How long the server may leave the first name unanswered; `FIRST_ANSWER_TIMEOUT_MS` by default. */
  readonly answerTimeoutMs?: number;
}

/** Marks the first connection turning out not to be a chat, in a race with whatever line mode awaits. */
const SETUP_FAILED = Symbol('setup failed');

/**
 * `chat join` for pipes and scripts: each line read is sent, each event is printed as the plain line(s)
 * a netcat user sees, and end of input quits. Lines are read as in text mode: `/join #dev` and the other
 * slash commands work, `//text` sends `/text`, `/quit` stops. Nothing here draws on a terminal, but
 * output may still end up on one (`chat join < script`), so remote text is made inert all the same.
 *
 * While no name is accepted, each line is a name to try, like the text protocol. Every line read is
 * sent, in order, before quitting, however fast the input comes and ends. Resolves with the exit code:
 * 0, or 1 when no name was ever accepted.
 *
 * The chat counts as set up once the server answers the first name sent (a welcome or an error): until
 * then nothing shows it is a chat server at all. If the connection is lost while that name waits for
 * its answer (a TLS port spoken to in plain text, a server of another kind hanging up), or the answer
 * does not come within `answerTimeoutMs`, line mode says why on `errors`, in one line, and resolves with
 * 1: a script must not hang reconnecting to something that will never be a chat. A connection lost
 * before any name was sent (input slow to give one) or after the answer is repaired by reconnecting,
 * as in the full-screen client; lines read meanwhile wait for it, and are sent before quitting.
 */
export async function runLineMode(options: LineModeOptions): Promise<number> {
  const { client, input, output, errors, name, answerTimeoutMs = FIRST_ANSWER_TIMEOUT_MS } = options;
  // Read from the start, before anything is awaited: readline's async iterator only sees the lines
  // (and the end of input) emitted after it is made, and a pipe may deliver all of it while the name
  // is still being asked for. Made here, it keeps them until the loop below is ready.
  const reader = createInterface({ input, crlfDelay: Infinity, terminal: false });
  const lines = reader[Symbol.asyncIterator]();

  let everRegistered = false;
  /** A name was sent and the server has not answered any yet. */
  let awaitingFirstAnswer = false;
  let answerTimer: NodeJS.Timeout | undefined;
  let failSetup!: (reason: string) => void;
  const setupFailure = new Promise<string>((resolve) => (failSetup = resolve));
  let previous: ConnectionState['status'] = client.state.status;
  // The room lines were typed into before this event: messages there print as plain `name: text`.
  let current = client.room;

  const subscription = client.events$.subscribe((event) => {
    if (event.type !== 'connection') {
      if (event.type === 'welcome') everRegistered = true;
      // A welcome, or a refusal of the name, is the chat protocol answering: this is a chat server.
      if (event.type === 'welcome' || event.type === 'error') {
        awaitingFirstAnswer = false;
        clearTimeout(answerTimer);
      }
      output.write(encodeTextLine(inertEvent(event), current));
      current = client.room;
      return;
    }
    const { state } = event;
    if (state.status === 'reconnecting' && awaitingFirstAnswer) {
      failSetup(state.reason);
    } else if (state.status === 'reconnecting' && (previous === 'connected' || previous === 'registered')) {
      errors.write(`chat: connection lost (${displayText(state.reason)}); reconnecting\n`);
    } else if (state.status === 'connected' && previous === 'connecting') {
      errors.write('chat: connected again\n');
    }
    previous = state.status;
  });

  /** `work`'s outcome, or SETUP_FAILED as soon as the first connection turns out not to be a chat. */
  const unlessSetupFails = <T>(work: Promise<T>): Promise<T | typeof SETUP_FAILED> =>
    Promise.race([work, setupFailure.then((): typeof SETUP_FAILED => SETUP_FAILED)]);

  /** Asks for a name; false when the line turned out to be `/quit`. */
  const register = async (requested: string, line: string): Promise<boolean> => {
    // The clock for a server that never answers starts with the first name it is sent.
    if (answerTimer === undefined) {
      awaitingFirstAnswer = true;
      answerTimer = setTimeout(() => failSetup(`the server did not answer as a chat server within ${answerTimeoutMs / 1000} s`), answerTimeoutMs);
    }
    try {
      await client.register(requested);
    } catch (err) {
      // A name being asked for again after a reconnect: the line was meant for the chat, and waits.
      if ((err as ChatClientError).code === 'register_pending') return send(line);
    }
    return true;
  };
  /** Sends a typed line, once there is room for it; false when it was `/quit`. */
  const send = async (line: string): Promise<boolean> => {
    const input = readInputLine(line);
    if (input === null) return true;
    if (input.kind === 'quit') return false;
    if (input.kind === 'invalid') {
      errors.write(`chat: ${input.message}\n`);
      return true;
    }
    const result = client.send(input.command);
    if (result === 'dropped') errors.write('chat: not sent: there is no connection to the chat right now\n');
    // Held back by the pace or a lost connection: read on only once it has gone, so that a long pipe
    // waits here (and readline pauses the input) instead of overflowing the client's bounded outbox.
    if (result === 'queued') await client.drained();
    return true;
  };

  /** Reads and sends lines until the input ends or says to quit; SETUP_FAILED if the server is no chat. */
  const session = async (): Promise<typeof SETUP_FAILED | undefined> => {
    if (name !== undefined && (await unlessSetupFails(register(name, name))) === SETUP_FAILED) return SETUP_FAILED;
    for (;;) {
      const next = await unlessSetupFails(lines.next());
      if (next === SETUP_FAILED) return SETUP_FAILED;
      if (next.done) break;
      const line = next.value;
      if (line.trim().length === 0) continue;
      if (readInputLine(line)?.kind === 'quit') break;
      const goOn = await unlessSetupFails(client.state.status === 'connected' ? register(line.trim(), line) : send(line));
      if (goOn === SETUP_FAILED) return SETUP_FAILED;
      if (!goOn) break;
    }
    // `quit()` drops what the pace still holds back: the last lines of a pipe go first.
    return (await unlessSetupFails(client.drained())) === SETUP_FAILED ? SETUP_FAILED : undefined;
  };

  try {
    if ((await session()) === SETUP_FAILED) {
      errors.write(`chat join: cannot connect to ${client.address}: ${displayText(await setupFailure)}\n`);
      return 1;
    }
  } finally {
    clearTimeout(answerTimer);
    reader.close();
    await client.quit();
    subscription.unsubscribe();
  }
  return everRegistered ? 0 : 1;
}
