import { readFileSync } from 'fs';
import { relative } from 'path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that a summary needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  /** `function (file:line)`. */
  readonly frame: string;
  /** Milliseconds sampled in the function itself. */
  readonly selfMs: number;
  /** Milliseconds sampled in the function and everything it called (recursion counted once). */
  readonly totalMs: number;
}

/** The functions that took the most time in a profile, by self time, and the profile's total sampled time. */
export function summarizeProfile(path: string, root: string, top: number): { totalMs: number; entries: ProfileEntry[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frameOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.startsWith('file://') ? relative(root, url.slice('file://'.length)) : url;
    return `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`;
  };

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    totalUs += us;
    const frame = frameOf(id);
    self.set(frame, (self.get(frame) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const caller = frameOf(at);
      if (seen.has(caller)) continue;
      seen.add(caller);
      total.set(caller, (total.get(caller) ?? 0) + us);
    }
  });
  const entries = Array.from(self, ([frame, us]) => ({ frame, selfMs: Math.round(us / 1000), totalMs: Math.round((total.get(frame) ?? 0) / 1000) }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { totalMs: Math.round(totalUs / 1000), entries };
}
