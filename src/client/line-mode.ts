import { createInterface } from 'readline';
import { encodeTextLine, QUIT_COMMANDS } from '../protocol/text-codec';
import { ChatClient, ChatClientError, ChatEvent, ConnectionState } from './chat-client';
import { displayText } from './display-text';

export interface LineModeOptions {
  /** A client that has connected. */
  readonly client: ChatClient;
  /** Lines to send; the first ones are names until one is accepted (unless `name` is given and free). */
  readonly input: NodeJS.ReadableStream;
  /** Where chat lines go: messages, joins, leaves, the server's errors. */
  readonly output: NodeJS.WritableStream;
  /** Where connection news goes (lost, back), so that `output` holds only the chat. */
  readonly errors: NodeJS.WritableStream;
  /** The name to ask for first. */
  readonly name?: string;
}

/**
 * `chat join` for pipes and scripts: each line read is sent, each event is printed as one plain line
 * (the same lines a netcat user sees), and end of input quits. Nothing here draws on a terminal, but
 * output may still end up on one (`chat join < script`), so remote text is made inert all the same.
 *
 * While no name is accepted, each line is a name to try, like the text protocol. Resolves with the
 * exit code: 0, or 1 when no name was ever accepted.
 */
export async function runLineMode(options: LineModeOptions): Promise<number> {
  const { client, input, output, errors, name } = options;
  let everRegistered = false;
  let previous: ConnectionState['status'] = client.state.status;

  const subscription = client.events$.subscribe((event) => {
    if (event.type !== 'connection') {
      if (event.type === 'welcome') everRegistered = true;
      output.write(encodeTextLine(inert(event)));
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

  const register = async (requested: string, line: string) => {
    try {
      await client.register(requested);
    } catch (err) {
      // A name being asked for again after a reconnect: the line was a message, and waits for it.
      if ((err as ChatClientError).code === 'register_pending') say(line);
    }
  };
  const say = (line: string) => {
    if (client.say(line) === 'dropped') errors.write('chat: not sent: there is no connection to the chat right now\n');
  };

  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    if (name !== undefined) await register(name, name);
    for await (const line of lines) {
      const trimmed = line.trim();
      if (QUIT_COMMANDS.has(trimmed)) break;
      if (trimmed.length === 0) continue;
      if (client.state.status === 'connected') await register(trimmed, line);
      else say(line);
    }
  } finally {
    lines.close();
    await client.quit();
    subscription.unsubscribe();
  }
  return everRegistered ? 0 : 1;
}

/** The event with every text field made safe to print. */
function inert(event: ChatEvent): ChatEvent {
  switch (event.type) {
    case 'welcome':
      return { ...event, name: displayText(event.name), users: event.users.map(displayText) };
    case 'joined':
    case 'left':
      return { ...event, name: displayText(event.name) };
    case 'message':
      return { ...event, from: displayText(event.from), text: displayText(event.text) };
    case 'error':
    case 'bye':
      return { ...event, message: displayText(event.message) };
    case 'gap':
      return event;
  }
}
