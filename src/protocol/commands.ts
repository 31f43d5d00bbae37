import { ClientCommand, CommandType, ErrorEvent } from './frames';
import { cleanMessage } from './say';
import { cleanText } from './sanitize';

/** A JSON field of a command frame: a required or an optional string. */
export type FieldType = 'string' | 'string?';

/** What a text-mode argument string parses into: field values, or `null` when it fits no usage. */
type ArgumentParser = (rest: string) => Record<string, string> | null;

/**
 * One command of the chat. The registry below is the single description of every command: text mode
 * parses `/name args` with it, JSON mode validates frames against its `fields`, and `/help` lists it.
 * What a command does is the room reducer's handler of the same `type`.
 */
export interface CommandSpec {
  readonly type: CommandType;
  /** The text-mode form (`/join`), or null for commands with no slash form (`hello`, `say`). */
  readonly slash: string | null;
  /** Arguments as shown in help; `[x]` is optional. */
  readonly args: string;
  readonly help: string;
  /** The JSON frame's fields besides `type`. */
  readonly fields: Readonly<Record<string, FieldType>>;
  readonly parseArgs: ArgumentParser;
}

const noArguments: ArgumentParser = (rest) => (rest === '' ? {} : null);
const oneWord = (field: string): ArgumentParser => (rest) => (/^\S+$/.test(rest) ? { [field]: rest } : null);
const optionalWord = (field: string): ArgumentParser => (rest) => (rest === '' ? {} : oneWord(field)(rest));
const someText = (field: string): ArgumentParser => (rest) => (rest === '' ? null : { [field]: rest });
const wordThenText = (word: string, text: string): ArgumentParser => (rest) => {
  const match = /^(\S+)\s+(.+)$/s.exec(rest);
  return match ? { [word]: match[1], [text]: match[2] } : null;
};

export const COMMANDS: readonly CommandSpec[] = [
  { type: 'hello', slash: null, args: 'name', help: 'choose your name (JSON mode; in text mode your first line is your name)', fields: { name: 'string' }, parseArgs: oneWord('name') },
  { type: 'say', slash: null, args: 'text', help: 'send a message to your current room (in text mode, any line not starting with /)', fields: { text: 'string', room: 'string?' }, parseArgs: someText('text') },
  { type: 'join', slash: 'join', args: '#room', help: 'join a room (it is created if needed) or switch to it; lines you type go there', fields: { room: 'string' }, parseArgs: oneWord('room') },
  { type: 'part', slash: 'part', args: '[#room]', help: 'leave a room (default: the current one)', fields: { room: 'string?' }, parseArgs: optionalWord('room') },
  { type: 'rooms', slash: 'rooms', args: '', help: 'list the rooms and how many are in each', fields: {}, parseArgs: noArguments },
  { type: 'names', slash: 'names', args: '[#room]', help: 'list who is in a room (default: the current one)', fields: { room: 'string?' }, parseArgs: optionalWord('room') },
  { type: 'msg', slash: 'msg', args: 'name text', help: 'send a private message that only that user sees', fields: { to: 'string', text: 'string' }, parseArgs: wordThenText('to', 'text') },
  { type: 'me', slash: 'me', args: 'action', help: 'describe an action, shown as "* yourname action"', fields: { text: 'string', room: 'string?' }, parseArgs: someText('text') },
  { type: 'nick', slash: 'nick', args: 'newname', help: 'change your name (same rules as choosing one)', fields: { name: 'string' }, parseArgs: oneWord('name') },
  { type: 'help', slash: 'help', args: '', help: 'list the commands', fields: {}, parseArgs: noArguments },
  { type: 'quit', slash: 'quit', args: '', help: 'leave the chat (so does {quit})', fields: {}, parseArgs: noArguments },
];

const BY_TYPE: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((spec) => [spec.type, spec]));
const BY_SLASH: ReadonlyMap<string, CommandSpec> = new Map(
  COMMANDS.filter((spec) => spec.slash !== null).map((spec) => [spec.slash!, spec]),
);

export function commandByType(type: string): CommandSpec | undefined {
  return BY_TYPE.get(type);
}

export function commandBySlash(slash: string): CommandSpec | undefined {
  return BY_SLASH.get(slash.toLowerCase());
}

/** How to use a command, for help and usage errors: `/msg name text`. */
/** Longest part of an unknown command's name quoted back in its error, in code points. */
const UNKNOWN_COMMAND_SHOWN = 20;

/**
 * The error for a `/word` that names no command. The word is quoted back cleaned, like any remote text:
 * a typo must not carry ESC or BEL to the user's terminal.
 */
export function unknownCommandMessage(slash: string): string {
  const shown = Array.from(cleanText(slash)).slice(0, UNKNOWN_COMMAND_SHOWN).join('');
  return `unknown command /${shown}; /help lists the commands`;
}

export function usage(spec: CommandSpec): string {
  const form = spec.slash === null ? spec.type : `/${spec.slash}`;
  return spec.args === '' ? form : `${form} ${spec.args}`;
}

/**
 * Builds a command from field values that passed the schema: message text is cleaned and checked
 * against the length limit; names and rooms are left to the reducer, which knows who and what exists.
 * `null` means there is nothing to do (a blank `say` line in text mode).
 */
export function buildCommand(
  spec: CommandSpec,
  fields: Readonly<Record<string, string | undefined>>,
  maxMessageLength: number,
): ClientCommand | ErrorEvent | null {
  const command: Record<string, string> = { type: spec.type };
  for (const field of Object.keys(spec.fields)) {
    // Own values only, as decodeJsonFrame reads frames: an absent optional field must stay absent.
    const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (value !== undefined) command[field] = value;
  }
  if (Object.hasOwn(command, 'text')) {
    const text = cleanMessage(command.text, maxMessageLength);
    if (text === null) return null;
    if (typeof text !== 'string') return text;
    command.text = text;
  }
  return command as unknown as ClientCommand;
}
