import { accessSync, constants } from 'fs';
import { delimiter, join } from 'path';

/** Where `command` is on the PATH, or null. */
export function findCommand(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Each missing command's skip is said once, however many groups of tests need it. */
const toldOfSkipping = new Set<string>();

/**
 * `describe` for specs that need a program nobody here wrote (redis-server, python3, ...). Where it is
 * missing they are skipped with one line saying how to install it, except in CI (`CI` set), where they
 * must run: .ci/run installs it.
 */
export function describeNeeding(command: string, installHint: string, name: string, body: () => void): void {
  if (findCommand(command) !== null) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it(`needs ${command} on the PATH`, () => {
        throw new Error(`${command} is not on the PATH; CI must install it (.ci/run does): ${installHint}`);
      });
    });
    return;
  }
  if (!toldOfSkipping.has(command)) process.stdout.write(`Skipping the tests that need ${command}: it is not on the PATH; ${installHint}\n`);
  toldOfSkipping.add(command);
  describe.skip(name, body);
}
