/**
 * The smallest useful bot, shown in docs/CLIENT.md ("Write your own bot"): it repeats `!echo text`.
 *
 *   npx tsx examples/echo-bot.ts --host 127.0.0.1 --port 53000
 */
import { parseArgs } from 'util';
import { createChatClient } from '../src'; // in your own project: from 'rxchat'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '53000' }, name: { type: 'string', default: 'echo' } },
  });
  const client = createChatClient({ host: values.host, port: Number(values.port) });

  // Subscribe before connecting: the streams are hot. Skip our own lines and replayed history.
  client.messages$.subscribe((message) => {
    if (message.from !== client.name && !message.history && message.text.startsWith('!echo ')) {
      client.say(message.text.slice('!echo '.length), message.room);
    }
  });
  process.on('SIGINT', () => void client.quit().then(() => process.exit(0)));

  await client.connect(); // rejects if the server cannot be reached
  const welcome = await client.register(values.name); // rejects if the name is taken or invalid
  console.error(`${welcome.name}: ready in ${welcome.room}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
