import { readFileSync } from 'fs';

/**
 * File descriptors the server keeps for itself (listening sockets, the metrics endpoint, log files,
 * Node's own) on top of one per client.
 */
export const RESERVED_FILE_DESCRIPTORS = 32;

/**
 * The process's soft limit on open files, read from /proc (Linux); undefined where it cannot be read.
 * Node has no API for getrlimit.
 */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(limitsFile, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * The connection cap the server can actually honour. Past the descriptor limit the kernel refuses
 * connections before the server can tell them why, so the cap is lowered below it, with a reason.
 */
export function effectiveMaxConnections(requested: number, fileLimit: number | undefined): { max: number; warning?: string } {
  if (fileLimit === undefined || requested + RESERVED_FILE_DESCRIPTORS <= fileLimit) return { max: requested };
  const max = Math.max(1, fileLimit - RESERVED_FILE_DESCRIPTORS);
  return {
    max,
    warning: `--max-connections ${requested} is more than the open-file limit (${fileLimit}) allows; using ${max} (raise the limit with 'ulimit -n')`,
  };
}
