#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { join, joinOptions } from './join';
import { serve, serveOptions } from './serve';

/** The `chat` command line. This is the only module that knows about yargs' command structure. */
export function main(argv: string[]): void {
  void yargs(argv)
    .scriptName('chat')
    .env('CHAT')
    .command('serve', 'Run a chat server', serveOptions, (args) => serve(args))
    .command('join', 'Join a chat server: a full-screen client, or line mode in pipes', joinOptions, (args) => join(args))
    .demandCommand(1, 'Say which command to run: chat serve or chat join')
    .strict()
    .help()
    .alias('help', 'h')
    .parseAsync()
    .catch((err: Error) => {
      process.stderr.write(`chat: ${err.message}\n`);
      process.exit(1);
    });
}

if (require.main === module) main(hideBin(process.argv));
