import { commandBySlash, unknownCommandMessage, usage } from '../protocol/commands';
import { QUIT_COMMANDS } from '../protocol/text-codec';
import { ChatCommand } from './chat-client';

/** What a line typed by a registered user asks for. */
export type InputLine =
  | { readonly kind: 'quit' }
  | { readonly kind: 'command'; readonly command: ChatCommand }
  /** A command typed wrongly; `message` says how to use it. */
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads a line typed by a registered user the way text mode does, with the server's own command
 * registry: `/quit` and `{quit}` leave, `/join #dev` and the other slash commands become their JSON
 * frames, `//text` sends `/text`, and any other line is said in the current room. `null` for a blank
 * line. The command's arguments are only split here; the server checks them.
 */
export function readInputLine(line: string): InputLine | null {
  const trimmed = line.trim();
  if (trimmed.length === 0) return null;
  if (QUIT_COMMANDS.has(trimmed)) return { kind: 'quit' };
  if (trimmed.startsWith('//')) return { kind: 'command', command: { type: 'say', text: line.replace('//', '/') } };
  if (!trimmed.startsWith('/')) return { kind: 'command', command: { type: 'say', text: line } };
  const match = /^\/(\S+)\s*(.*)$/s.exec(trimmed)!;
  const spec = commandBySlash(match[1]);
  if (!spec) return { kind: 'invalid', message: unknownCommandMessage(match[1]) };
  const fields = spec.parseArgs(match[2].trim());
  if (fields === null) return { kind: 'invalid', message: `usage: ${usage(spec)}` };
  if (spec.type === 'quit') return { kind: 'quit' };
  return { kind: 'command', command: { type: spec.type, ...fields } as ChatCommand };
}
