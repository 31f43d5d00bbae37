/** Argument checks shared by the commands: each throws a message yargs prints with the usage. */

export function portNumber(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535 (got ${String(value)})`);
  }
  return value;
}

export function positiveInteger(flag: string) {
  return (value: number): number => {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number above 0 (got ${String(value)})`);
    return value;
  };
}
