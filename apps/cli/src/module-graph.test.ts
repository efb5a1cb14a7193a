import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/*
 * The command's own modules form no import cycle — the imports that run (esbuild drops type-only
 * ones before it resolves): main.ts assembles the commands (one file each under commands/, what
 * they share in command-context.ts), and nothing imports main.ts back.
 */

const SRC = __dirname;

/** Every import between the command's own source files, from esbuild's metafile (npm packages and other projects left out). */
function imports(): Map<string, string[]> {
  const result = buildSync({
    entryPoints: [join(SRC, 'bin.ts'), join(SRC, 'map-worker.ts')],
    bundle: true,
    write: false,
    outdir: '/tmp/ledgerlake-module-graph',
    platform: 'node',
    format: 'esm',
    splitting: true,
    metafile: true,
    logLevel: 'silent',
    // Bare specifiers (npm packages, the other projects) stay outside: only this project's files are read.
    packages: 'external',
    external: ['*.json'],
  });
  const graph = new Map<string, string[]>();
  const root = relative(process.cwd(), SRC);
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (!file.startsWith(root)) continue;
    graph.set(file.slice(root.length + 1), input.imports.filter((i) => !i.external && i.path.startsWith(root)).map((i) => i.path.slice(root.length + 1)));
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe("the command's modules", () => {
  it('import one another without a cycle', () => {
    const graph = imports();

    expect(graph.size).toBeGreaterThan(40);
    expect(cycles(graph)).toEqual([]);
    expect([...graph].filter(([, to]) => to.includes('main.ts')).map(([from]) => from)).toEqual(['bin.ts']);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
