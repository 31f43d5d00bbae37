import { buildCommand, commandBySlash, commandByType, unknownCommandMessage, usage } from './commands';
import { ClientCommand, ErrorEvent, errorEvent, LeaveReason, ServerEvent } from './frames';

/** Typing either of these ends the session; `{quit}` is what the original chat programs used. */
export const QUIT_COMMANDS: ReadonlySet<string> = new Set(['{quit}', '/quit']);

/** System lines start with this so nobody can mistake them for `name: text` chat lines. */
export const NOTICE_PREFIX = '*** ';

/** How many names a text-mode welcome line lists before it says "and N more". */
export const WELCOME_NAMES_SHOWN = 20;

/** Sent to every new connection before its first frame; JSON clients ignore it (it is not JSON). */
export const GREETING_LINE = `${NOTICE_PREFIX}Welcome to chat! Type your name and press Enter (JSON clients: send a "hello" frame).\n`;

/**
 * Reads one text-mode line. Before the user has a name, a line is the name they ask for. After, a line
 * starting with `/` is a command from the registry (`//` escapes a line that should start with `/`),
 * and any other line is a message to the current room. `null` means the line is ignored (blank).
 */
export function decodeTextLine(
  line: string,
  registered: boolean,
  maxMessageLength: number,
): ClientCommand | ErrorEvent | null {
  const trimmed = line.trim();
  if (QUIT_COMMANDS.has(trimmed)) return { type: 'quit' };
  if (!registered) {
    // A command before a name is not a name to try: say what is expected instead.
    if (trimmed.startsWith('/')) return errorEvent('not_registered', 'choose a name first: type your name and press Enter');
    return { type: 'hello', name: trimmed };
  }
  if (!trimmed.startsWith('/') || trimmed.startsWith('//')) {
    const text = trimmed.startsWith('//') ? line.replace('//', '/') : line;
    return buildCommand(commandByType('say')!, { text }, maxMessageLength);
  }
  const match = /^\/(\S+)\s*(.*)$/s.exec(trimmed);
  if (!match) return errorEvent('unknown_command', 'a command name must follow "/"; /help lists the commands');
  const spec = commandBySlash(match[1]);
  if (!spec) {
    return errorEvent('unknown_command', unknownCommandMessage(match[1]));
  }
  const fields = spec.parseArgs(match[2].trim());
  // Arguments that do not fit, or text that is blank once cleaned, get the command's usage.
  return (fields && buildCommand(spec, fields, maxMessageLength)) ?? errorEvent('bad_command', `usage: ${usage(spec)}`);
}

const LEAVE_REASON_TEXT: Record<LeaveReason, string> = {
  part: '',
  quit: '',
  disconnect: ' (connection lost)',
  error: ' (connection error)',
  shutdown: ' (server shutting down)',
  too_slow: ' (too slow to keep up)',
  flood: ' (flooding)',
  timeout: ' (timed out)',
};

/** Whether a string is one of the protocol's leave reasons. */
export function isLeaveReason(value: unknown): value is LeaveReason {
  return typeof value === 'string' && Object.hasOwn(LEAVE_REASON_TEXT, value);
}

/**
 * The line(s) a text-mode (netcat/telnet) user sees for an event, newline included. `currentRoom` is
 * the room the user is typing into: its messages read exactly `name: text`; messages from the user's
 * other rooms carry the room's name (`[#dev] alice: hi`).
 */
export function encodeTextLine(event: ServerEvent, currentRoom: string | null): string {
  switch (event.type) {
    case 'message': {
      const where = event.room === currentRoom ? '' : `[${event.room}] `;
      const when = event.history ? '[history] ' : '';
      const body = event.action ? `* ${event.from} ${event.text}` : `${event.from}: ${event.text}`;
      return `${where}${when}${body}\n`;
    }
    case 'private':
      return `[private] ${event.from} -> ${event.to}: ${event.text}\n`;
    case 'joined':
      return `${NOTICE_PREFIX}${event.name} joined ${event.room}\n`;
    case 'left':
      return event.reason === 'part'
        ? `${NOTICE_PREFIX}${event.name} left ${event.room}\n`
        : `${NOTICE_PREFIX}${event.name} left the chat${LEAVE_REASON_TEXT[event.reason]}\n`;
    case 'nick':
      return `${NOTICE_PREFIX}${event.old} is now known as ${event.name}\n`;
    case 'welcome': {
      const motd = event.motd === undefined ? '' : `${NOTICE_PREFIX}${event.motd}\n`;
      return `${NOTICE_PREFIX}Welcome, ${event.name}! You are in ${event.room}: ${describeUsers(event.users, event.count)}. Type /help for commands, {quit} or /quit to leave.\n${motd}`;
    }
    case 'entered':
      return `${NOTICE_PREFIX}You are now in ${event.room}: ${describeUsers(event.users, event.count)}. Lines you type go to ${event.room}.\n`;
    case 'parted':
      return `${NOTICE_PREFIX}You left ${event.room}. ${event.current === null ? 'You are in no room now: /join #room to talk.' : `Lines you type go to ${event.current}.`}\n`;
    case 'rooms':
      return `${NOTICE_PREFIX}Rooms: ${event.rooms.length === 0 ? 'none' : event.rooms.map((r) => `${r.room} (${r.users})`).join(', ')}\n`;
    case 'names':
      return `${NOTICE_PREFIX}In ${event.room} (${event.users.length}): ${event.users.join(', ')}\n`;
    case 'help':
      return (
        `${NOTICE_PREFIX}Commands:\n` +
        event.commands.map((c) => `${NOTICE_PREFIX}  ${`${c.command} ${c.args}`.trimEnd().padEnd(18)} ${c.help}\n`).join('') +
        `${NOTICE_PREFIX}  ${'//text'.padEnd(18)} send a line that starts with /\n`
      );
    case 'error':
      return `${NOTICE_PREFIX}Error: ${event.message}\n`;
    case 'bye':
      return `${NOTICE_PREFIX}${event.message}\n`;
    case 'status':
      return `${NOTICE_PREFIX}${event.message}\n`;
    case 'gap':
      return `${NOTICE_PREFIX}${event.missed} message${event.missed === 1 ? ' was' : 's were'} dropped because your connection could not keep up\n`;
    case 'ping':
    case 'pong':
      // The heartbeat is JSON-only; text users rely on TCP keepalive.
      return '';
  }
}

function describeUsers(users: readonly string[], count: number): string {
  const people = count === 1 ? '1 user' : `${count} users`;
  if (users.length === 0) return people;
  const shown = users.slice(0, WELCOME_NAMES_SHOWN).join(', ');
  const more = users.length > WELCOME_NAMES_SHOWN ? ` and ${users.length - WELCOME_NAMES_SHOWN} more` : '';
  return `${people}: ${shown}${more}`;
}
