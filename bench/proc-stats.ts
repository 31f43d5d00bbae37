import { readdirSync, readFileSync } from 'fs';

/**
 * CPU and memory of another process, read from Linux's /proc so that the process being measured runs
 * no measuring code of its own.
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux this runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the `(comm)` one, counted from 0: utime is field 14 of the whole line. */
const UTIME_FIELD = 11;
const STIME_FIELD = 12;

/** User plus system CPU time the process has used so far, in seconds. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: the fields start after the last `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[UTIME_FIELD]) + Number(fields[STIME_FIELD])) / CLOCK_TICKS_PER_SECOND;
}

export interface MemoryKiB {
  /** Resident set size now. */
  readonly rss: number;
  /** The highest resident set size the process has had (VmHWM). */
  readonly peak: number;
}

/** Resident memory of the process, in KiB. */
export function readMemoryKiB(pid: number): MemoryKiB {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: statusField(status, 'VmRSS'), peak: statusField(status, 'VmHWM') };
}

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s*(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${name} in /proc status`);
  return Number(match[1]);
}

/**
 * Open file descriptors of the process. For a server, each accepted connection is one: the generator
 * compares this with what it has connected to know how many connections still wait to be accepted.
 */
export function countOpenFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Several processes that together are the server (the nodes of a cluster), read as one: CPU time,
 * resident memory and open files summed. The peak is the sum of each process's own peak, which is at
 * least the peak of the sum: the processes need not have peaked at the same moment.
 */
export function readTotalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + readCpuSeconds(pid), 0);
}

export function readTotalMemoryKiB(pids: readonly number[]): MemoryKiB {
  return pids.reduce<MemoryKiB>(
    (total, pid) => {
      const memory = readMemoryKiB(pid);
      return { rss: total.rss + memory.rss, peak: total.peak + memory.peak };
    },
    { rss: 0, peak: 0 },
  );
}

export function countTotalOpenFiles(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + countOpenFiles(pid), 0);
}
