/**
 * A command bot: answers `!roll 2d6`, `!time` and `!help` in the room they were said in, and in
 * private when asked in a private message (`/msg dice !roll d20`).
 *
 *   npx tsx examples/dice-bot.ts --host 127.0.0.1 --port 53000
 */
import { randomInt } from 'crypto';
import { botCommandLine, createBotClient, startBot } from './bot-kit';

/** At most this many dice in one roll: the answer lists each die and must stay one readable line. */
const MAX_DICE = 20;
/** Dice have from 2 to this many sides. */
const MIN_SIDES = 2;
const MAX_SIDES = 1000;
/** `NdM`, or `dM` for one die. */
const DICE = /^(\d*)d(\d+)$/i;

const ROLL_USAGE = `usage: !roll NdM, e.g. !roll 2d6 (1 to ${MAX_DICE} dice of ${MIN_SIDES} to ${MAX_SIDES} sides)`;
const HELP = 'Commands: !roll NdM rolls dice (e.g. !roll 2d6), !time tells the time, !help lists these.';

const args = botCommandLine('dice-bot', 'dice')
  .option('room', { type: 'string', array: true, default: [] as string[], describe: 'Also answer in this room (repeatable); #lobby always' })
  .parseSync();

/** The answer to a line, or null when it is not a command for this bot (other bots may use `!` too). */
function answer(from: string, text: string): string | null {
  const [command, ...rest] = text.trim().split(/\s+/);
  switch (command.toLowerCase()) {
    case '!roll':
      return rest.length > 1 ? ROLL_USAGE : roll(from, rest[0] ?? 'd6');
    case '!time':
      return `The time is ${new Date().toUTCString()}.`;
    case '!help':
      return HELP;
    default:
      return null;
  }
}

function roll(from: string, spec: string): string {
  const match = DICE.exec(spec);
  const count = match ? Number(match[1] || 1) : 0;
  const sides = match ? Number(match[2]) : 0;
  if (count < 1 || count > MAX_DICE || sides < MIN_SIDES || sides > MAX_SIDES) return ROLL_USAGE;
  const dice = Array.from({ length: count }, () => randomInt(1, sides + 1));
  const total = dice.reduce((sum, die) => sum + die, 0);
  return count === 1 ? `${from} rolls ${count}d${sides}: ${total}` : `${from} rolls ${count}d${sides}: ${dice.join(' + ')} = ${total}`;
}

const client = createBotClient(args);

client.events$.subscribe((event) => {
  // Never answer ourselves, and never old lines replayed to us when we enter a room.
  if (event.type === 'message' && event.from !== client.name && !event.history && !event.action) {
    const reply = answer(event.from, event.text);
    if (reply !== null) client.say(reply, event.room);
  }
  if (event.type === 'private' && event.from !== client.name) {
    const reply = answer(event.from, event.text);
    if (reply !== null) client.send({ type: 'msg', to: event.from, text: reply });
  }
});

void startBot(client, args.name, args.room);
