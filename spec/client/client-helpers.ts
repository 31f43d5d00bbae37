import { ChatClient, ChatClientOptions, ClientEvent, createChatClient } from '../../src/client/chat-client';
import { eventually } from '../support/line-client';

/** A client under test, with everything it emitted recorded so a test can wait for what it expects. */
export interface RecordedClient {
  readonly client: ChatClient;
  readonly events: ClientEvent[];
  /** Waits until an event after the first `from` matches; returns it. */
  waitFor<T extends ClientEvent>(match: (event: ClientEvent) => event is T, what: string, from?: number): Promise<T>;
  waitFor(match: (event: ClientEvent) => boolean, what: string, from?: number): Promise<ClientEvent>;
  /** The chat messages received so far, as `from: text`. */
  messages(): string[];
}

/** Clients created by `recordClient` in a test, quit by `quitAll` in its `afterEach`. */
const created: ChatClient[] = [];

export function recordClient(port: number, options: ChatClientOptions = {}): RecordedClient {
  const client = createChatClient({ host: '127.0.0.1', port, ...options });
  created.push(client);
  const events: ClientEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  return {
    client,
    events,
    async waitFor(match: (event: ClientEvent) => boolean, what: string, from = 0) {
      await eventually(() => events.slice(from).some(match), `${what}; events so far: ${JSON.stringify(events)}`);
      return events.slice(from).find(match)!;
    },
    messages() {
      return events.flatMap((event) => (event.type === 'message' ? [`${event.from}: ${event.text}`] : []));
    },
  };
}

/** Connects and registers; resolves once the client is in the room. */
export async function joinedClient(port: number, name: string, options: ChatClientOptions = {}): Promise<RecordedClient> {
  const recorded = recordClient(port, options);
  await recorded.client.connect();
  await recorded.client.register(name);
  return recorded;
}

export async function quitAll(): Promise<void> {
  await Promise.all(created.splice(0).map((client) => client.quit()));
}
