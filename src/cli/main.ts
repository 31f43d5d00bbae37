#!/usr/bin/env node
import yargs, { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { join, joinOptions } from './join';
import { serve, serveOptions } from './serve';

/** Exit code for a command line that cannot be run as given (a bad flag, a missing command). */
const USAGE_EXIT_CODE = 2;

/** Prefix of the environment variables that set flags: `--max-frame-bytes` is `CHAT_MAX_FRAME_BYTES`. */
const ENV_PREFIX = 'CHAT_';

const COMMANDS = ['serve', 'join'] as const;

/** The `chat` command line. This is the only module that knows about yargs' command structure. */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): void {
  const args = withoutEmptyValues(argv);
  const command = args.find((token) => (COMMANDS as readonly string[]).includes(token));
  const envSources: Record<string, string> = {};
  void yargs(args)
    .scriptName('chat')
    .command('serve', 'Run a chat server', (y) => ownFlags(y, serveOptions, args, env, envSources), (parsed) => serve(parsed))
    .command('join', 'Join a chat server: a full-screen client, or line mode in pipes', (y) => ownFlags(y, joinOptions, args, env, envSources), (parsed) => join(parsed))
    .demandCommand(1, 'Say which command to run: chat serve or chat join')
    .strict()
    .help()
    .alias('help', 'h')
    // Every failure of the command line goes through here: one line naming what is wrong, exit 2.
    // The full usage is for --help; printed after every typo it buries the one line that matters.
    // yargs passes no message for an error thrown by a command's handler: that run failed (exit 1),
    // its command line was fine.
    .fail((message: string | null, err: Error | undefined) => {
      if (message === null) exit(command, err?.message ?? 'failed', 1);
      exit(command, describeFailure(message, args, command, envSources), USAGE_EXIT_CODE);
    })
    .parseAsync()
    .catch((err: Error) => exit(command, err.message, 1));
}

function exit(command: string | undefined, message: string, code: number): never {
  process.stderr.write(`chat${command ? ` ${command}` : ''}: ${message}\n`);
  process.exit(code);
}

/**
 * yargs' failure message as one line in our words: "Not enough arguments following: port" is a value
 * flag given no value; an unknown flag is named as it was typed. A message about a flag whose value
 * came from its environment variable says so, since the user may not have typed that flag at all.
 */
function describeFailure(message: string, argv: string[], command: string | undefined, envSources: Record<string, string>): string {
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  const missing = /^Not enough arguments following: (\S+)$/.exec(line);
  if (missing) return `--${missing[1]} needs a value`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(line);
  if (unknown) return describeUnknown(unknown[1].split(', '), argv, command);
  const flag = /^--([\w-]+)/.exec(line)?.[1];
  const variable = flag === undefined ? undefined : envSources[flag];
  return variable === undefined ? line : `${line}, set by ${variable}`;
}

/**
 * yargs lists an unknown `--log-level` twice (log-level, logLevel) and `--no-such-flag` as such-flag;
 * this names each as typed: `unknown flag --no-such-flag`, or `unknown command start` for a word
 * (a word is in argv as it is; a flag is not).
 */
function describeUnknown(names: string[], argv: string[], command: string | undefined): string {
  const dashed = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return names
    .filter((name) => dashed(name) === name || !names.includes(dashed(name)))
    .map((name) => {
      if (argv.includes(name)) return command === undefined ? `unknown command ${name} (chat serve or chat join)` : `unexpected argument ${name}`;
      const typed = argv.map((token) => token.split('=')[0]).find((token) => token === `--${name}` || token === `--no-${name}`);
      return `unknown flag ${typed ?? (name.length === 1 ? `-${name}` : `--${name}`)}`;
    })
    .join('; ');
}

/**
 * `--port=` and `--port ""` (a script's unset variable) are no value at all, so they must fail like
 * a bare `--port`; yargs would read the empty text as 0 for a number flag and listen on a random port.
 * Dropping the empty value leaves the bare flag, which `requiresArg` refuses.
 */
function withoutEmptyValues(argv: string[]): string[] {
  return argv.filter((token) => token !== '').map((token) => (/^--[^=]+=$/.test(token) ? token.slice(0, -1) : token));
}

/** What yargs 17 records about declared options (`getOptions()`, which its typings leave out). */
interface DeclaredOptions {
  key: Record<string, unknown>;
  string: string[];
  number: string[];
  boolean: string[];
  alias: Record<string, string[]>;
}

/**
 * Declares a command's flags, then gives them the rules every flag shares:
 * - A flag that takes a value (string or number) must be given one. Without this, yargs takes
 *   `--port` at the end of the line, or `--port --host x`, as "not given" and uses the default.
 * - Each flag of this command, and no other, can be set as an environment variable. yargs' own
 *   `.env('CHAT')` reads every `CHAT_*` variable, and with `.strict()` one meant for the other
 *   command (CHAT_NAME for `chat serve`) was an unknown argument. A flag on the command line wins.
 */
function ownFlags<T>(y: Argv, declare: (y: Argv) => Argv<T>, argv: string[], env: NodeJS.ProcessEnv, envSources: Record<string, string>): Argv<T> {
  const options = (): DeclaredOptions => (y as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const inherited = new Set(Object.keys(options().key));
  const declared = declare(y);
  const { key, string, number, boolean, alias } = options();
  const aliases = new Set(Object.values(alias).flat());
  const own = Object.keys(key).filter((name) => !inherited.has(name) && !aliases.has(name));
  declared.requiresArg(own.filter((name) => string.includes(name) || number.includes(name)));

  const fromEnv: Record<string, string | boolean> = {};
  let envProblem: string | undefined;
  for (const name of own) {
    const names = [name, ...(alias[name] ?? [])];
    if (names.some((each) => typedOnCommandLine(each, argv))) continue;
    const variable = names.map(envName).find((each) => env[each] !== undefined);
    if (variable === undefined) continue;
    const text = env[variable]!;
    if (text.trim() === '') {
      envProblem ??= `${variable} needs a value`;
    } else if (!boolean.includes(name)) {
      fromEnv[name] = text;
    } else if (text === 'true' || text === 'false') {
      fromEnv[name] = text === 'true';
    } else {
      // yargs would read anything but "true" as false: CHAT_TLS=yes would quietly turn TLS off.
      envProblem ??= `${variable} must be true or false (got ${JSON.stringify(text.slice(0, 80))})`;
    }
    for (const each of names) envSources[each] = variable;
  }
  // A config object goes through the same parsing and checks as the command line, below it in
  // precedence; a check that fails reaches the same .fail() as a bad flag.
  return declared.config(fromEnv).check(() => envProblem ?? true);
}

/** `max-frame-bytes` → `CHAT_MAX_FRAME_BYTES`. */
function envName(flag: string): string {
  return ENV_PREFIX + flag.replace(/-/g, '_').toUpperCase();
}

/** Whether the command line sets `flag`: `--flag`, `--flag=…`, or `--no-flag` for a boolean. */
function typedOnCommandLine(flag: string, argv: string[]): boolean {
  return argv.some((token) => token === `--${flag}` || token === `--no-${flag}` || token.startsWith(`--${flag}=`));
}

if (require.main === module) main(hideBin(process.argv));
