import { readdirSync, readFileSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

/**
 * The layout's promises, checked on the sources: folders of src/ depend on each other in one direction
 * only (a change stays local, and a folder can be understood without the ones that use it), and the
 * chat domain never touches a socket.
 */

const SRC = join(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The top folder of src/ a file is in ('' for src/index.ts). */
const folderOf = (file: string) => (relative(SRC, file).includes(sep) ? relative(SRC, file).split(sep)[0] : '');

/** Every import of every source file, as [importing file, imported module]. */
const imports: Array<[string, string]> = sourceFiles(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^']+)'/gms)].map((match): [string, string] => [file, match[1]]),
);

/** folder → the other folders of src/ it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, module] of imports) {
    if (!module.startsWith('.')) continue;
    const from = folderOf(file);
    const to = folderOf(normalize(join(dirname(file), module)));
    if (from === '' || to === '' || from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

describe('the layout of src/', () => {
  it('has no import cycle between folders', () => {
    const graph = folderGraph();
    const cycles: string[] = [];
    const visit = (folder: string, path: string[]) => {
      for (const next of graph.get(folder) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const folder of graph.keys()) visit(folder, [folder]);
    expect(cycles).toEqual([]);
  });

  it('keeps the wire protocol and the chat domain free of sockets, and the protocol free of every other folder', () => {
    const offending = imports
      .filter(([file, module]) => ['protocol', 'room'].includes(folderOf(file)) && ['net', 'tls', 'node:net', 'node:tls', 'ioredis', 'blessed'].includes(module))
      .map(([file, module]) => `${relative(SRC, file)} imports ${module}`);
    expect(offending).toEqual([]);
    expect([...(folderGraph().get('protocol') ?? [])]).toEqual([]);
  });
});
