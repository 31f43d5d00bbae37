/**
 * A greeter: welcomes everybody who joins a room the bot is in.
 *
 *   npx tsx examples/greeter-bot.ts --host 127.0.0.1 --port 53000 --room '#dev'
 */
import { botCommandLine, createBotClient, startBot } from './bot-kit';

const args = botCommandLine('greeter-bot', 'greeter')
  .option('room', { type: 'string', array: true, default: [] as string[], describe: 'Also greet in this room (repeatable); #lobby always' })
  .parseSync();

const client = createBotClient(args);

// Hot streams: subscribe before starting, so that no join is missed.
client.events$.subscribe((event) => {
  // `joined` is about somebody else; the bot's own arrival in a room is `entered`.
  if (event.type === 'joined') client.say(`Welcome to ${event.room}, ${event.name}! 👋`, event.room);
});

void startBot(client, args.name, args.room);
