import { createInterface } from 'readline';
import { encodeTextLine } from '../protocol/text-codec';
import { ChatClient, ChatClientError, ConnectionState } from './chat-client';
import { displayText, inertEvent } from './display-text';
import { readInputLine } from './input-line';

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
}

/**
 * `chat join` for pipes and scripts: each line read is sent, each event is printed as the plain line(s)
 * a netcat user sees, and end of input quits. Lines are read as in text mode: `/join #dev` and the other
 * slash commands work, `//text` sends `/text`, `/quit` stops. Nothing here draws on a terminal, but
 * output may still end up on one (`chat join < script`), so remote text is made inert all the same.
 *
 * While no name is accepted, each line is a name to try, like the text protocol. Resolves with the
 * exit code: 0, or 1 when no name was ever accepted.
 */
export async function runLineMode(options: LineModeOptions): Promise<number> {
  const { client, input, output, errors, name } = options;
  let everRegistered = false;
  let previous: ConnectionState['status'] = client.state.status;
  // The room lines were typed into before this event: messages there print as plain `name: text`.
  let current = client.room;

  const subscription = client.events$.subscribe((event) => {
    if (event.type !== 'connection') {
      if (event.type === 'welcome') everRegistered = true;
      output.write(encodeTextLine(inertEvent(event), current));
      current = client.room;
      return;
    }
    const { state } = event;
    if (state.status === 'reconnecting' && (previous === 'connected' || previous === 'registered')) {
      errors.write(`chat: connection lost (${displayText(state.reason)}); reconnecting\n`);
    } else if (state.status === 'connected' && previous === 'connecting') {
      errors.write('chat: connected again\n');
    }
    previous = state.status;
  });

  /** Asks for a name; false when the line turned out to be `/quit`. */
  const register = async (requested: string, line: string): Promise<boolean> => {
    try {
      await client.register(requested);
    } catch (err) {
      // A name being asked for again after a reconnect: the line was meant for the chat, and waits.
      if ((err as ChatClientError).code === 'register_pending') return send(line);
    }
    return true;
  };
  /** Sends a typed line; false when it was `/quit`. */
  const send = (line: string): boolean => {
    const input = readInputLine(line);
    if (input === null) return true;
    if (input.kind === 'quit') return false;
    if (input.kind === 'invalid') errors.write(`chat: ${input.message}\n`);
    else if (client.send(input.command) === 'dropped') errors.write('chat: not sent: there is no connection to the chat right now\n');
    return true;
  };

  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    if (name !== undefined) await register(name, name);
    for await (const line of lines) {
      if (line.trim().length === 0) continue;
      if (readInputLine(line)?.kind === 'quit') break;
      const goOn = client.state.status === 'connected' ? await register(line.trim(), line) : send(line);
      if (!goOn) break;
    }
  } finally {
    lines.close();
    await client.quit();
    subscription.unsubscribe();
  }
  return everRegistered ? 0 : 1;
}
