import { ClientCommand, ErrorEvent, LeaveReason, ServerEvent } from './frames';
import { sayCommand } from './say';

/** Typing either of these ends the session; `{quit}` is what the original chat programs used. */
export const QUIT_COMMANDS: ReadonlySet<string> = new Set(['{quit}', '/quit']);

/** System lines start with this so nobody can mistake them for `name: text` chat lines. */
export const NOTICE_PREFIX = '*** ';

/** How many names a text-mode welcome line lists before it says "and N more". */
export const WELCOME_NAMES_SHOWN = 20;

/** Sent to every new connection before its first frame; JSON clients ignore it (it is not JSON). */
export const GREETING_LINE = `${NOTICE_PREFIX}Welcome to chat! Type your name and press Enter (JSON clients: send a "hello" frame).\n`;

/**
 * Reads one text-mode line. Before the user has a name, a line is the name they ask for; after, it
 * is a message. `null` means the line is ignored (blank).
 */
export function decodeTextLine(
  line: string,
  registered: boolean,
  maxMessageLength: number,
): ClientCommand | ErrorEvent | null {
  const trimmed = line.trim();
  if (QUIT_COMMANDS.has(trimmed)) return { type: 'quit' };
  if (!registered) return { type: 'hello', name: trimmed };
  return sayCommand(line, maxMessageLength);
}

const LEAVE_REASON_TEXT: Record<LeaveReason, string> = {
  quit: '',
  disconnect: ' (connection lost)',
  error: ' (connection error)',
  shutdown: ' (server shutting down)',
  too_slow: ' (too slow to keep up)',
  flood: ' (flooding)',
  timeout: ' (timed out)',
};

/** The line a text-mode (netcat/telnet) user sees for an event, newline included. */
export function encodeTextLine(event: ServerEvent): string {
  switch (event.type) {
    case 'message':
      return `${event.from}: ${event.text}\n`;
    case 'joined':
      return `${NOTICE_PREFIX}${event.name} joined the chat\n`;
    case 'left':
      return `${NOTICE_PREFIX}${event.name} left the chat${LEAVE_REASON_TEXT[event.reason]}\n`;
    case 'welcome':
      return `${NOTICE_PREFIX}Welcome, ${event.name}! ${describeUsers(event.users)}. Type {quit} or /quit to leave.\n`;
    case 'error':
      return `${NOTICE_PREFIX}Error: ${event.message}\n`;
    case 'bye':
      return `${NOTICE_PREFIX}${event.message}\n`;
    case 'gap':
      return `${NOTICE_PREFIX}${event.missed} message${event.missed === 1 ? ' was' : 's were'} dropped because your connection could not keep up\n`;
    case 'ping':
    case 'pong':
      // The heartbeat is JSON-only; text users rely on TCP keepalive.
      return '';
  }
}

function describeUsers(users: readonly string[]): string {
  const count = users.length === 1 ? '1 user online' : `${users.length} users online`;
  const shown = users.slice(0, WELCOME_NAMES_SHOWN).join(', ');
  const more = users.length > WELCOME_NAMES_SHOWN ? ` and ${users.length - WELCOME_NAMES_SHOWN} more` : '';
  return `${count}: ${shown}${more}`;
}
