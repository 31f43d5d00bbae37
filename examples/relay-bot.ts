/**
 * A relay: carries what is said in one room to another and back, as `[#from] alice: hi`.
 *
 *   npx tsx examples/relay-bot.ts --host 127.0.0.1 --port 53000 --from '#dev' --to '#ops'
 *
 * No loops: the bot never relays its own lines, nor a line that already carries a relay's
 * `[#room] ` prefix, so two relays between the same rooms (or a ring of them) never echo forever.
 */
import { botCommandLine, createBotClient, sameRoom, startBot } from './bot-kit';

/** The server's default --max-message-length: a relayed line with its prefix is cut to fit. */
const MAX_RELAYED_LENGTH = 2000;
/** What a relayed line starts with; lines that do are never relayed again. */
const RELAYED = /^\[#[^\]\s]+\] /;

const args = botCommandLine('relay-bot', 'relay')
  .option('from', { type: 'string', demandOption: true, describe: 'One room' })
  .option('to', { type: 'string', demandOption: true, describe: 'The other room' })
  .check(({ from, to }) => {
    if (sameRoom(withHash(from), withHash(to))) throw new Error('--from and --to must be two different rooms');
    return true;
  })
  .parseSync();

function withHash(room: string): string {
  return room.startsWith('#') ? room : `#${room}`;
}

function fit(line: string): string {
  const chars = Array.from(line);
  return chars.length <= MAX_RELAYED_LENGTH ? line : `${chars.slice(0, MAX_RELAYED_LENGTH - 1).join('')}…`;
}

const client = createBotClient(args);
/** The two rooms as the server spells them, once joined. */
let rooms: string[] = [];

client.messages$.subscribe((message) => {
  if (message.from === client.name || message.history || RELAYED.test(message.text)) return;
  // The bot is in #lobby too: only the two rooms are relayed.
  if (!rooms.some((room) => sameRoom(room, message.room))) return;
  const other = rooms.find((room) => !sameRoom(room, message.room))!;
  const said = message.action ? `* ${message.from} ${message.text}` : `${message.from}: ${message.text}`;
  client.say(fit(`[${message.room}] ${said}`), other);
});

void startBot(client, args.name, [withHash(args.from), withHash(args.to)]).then((joined) => {
  rooms = joined;
});
