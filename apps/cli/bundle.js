'use strict';
/*
 * The `ledgerlake` command runs as a bundle (esbuild, like the functions): one small entry chunk
 * that holds the command line, and a chunk per lazily imported module, so that `--help`, `runs`
 * or a usage error load neither DuckDB, Parquet, the functions nor the AWS SDK. npm packages stay
 * outside the bundle (resolved from node_modules as usual: DuckDB's native binding, hysnappy's WASM).
 *
 * `currentBundle()` is what bin/ledgerlake.js runs: the newest build, built again first when any
 * source it was built from has changed since (a working copy is never run stale). Each build goes
 * to its own folder under dist/ and becomes current by renaming dist/current.json, so that two
 * commands starting at once never read a half-written build; a process still running an older
 * build keeps its chunks (builds older than a day are removed).
 */
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(__dirname, 'dist');
const CURRENT = join(DIST, 'current.json');
const KEEP_OLD_BUILDS_MS = 24 * 3600 * 1000;

/**
 * Node's CommonJS names for the ES module chunks: bundled code and its npm packages use
 * `require`, `__dirname` and `__filename` (the balances report finds its SQL from there).
 */
const BANNER = [
  "import { createRequire as __ledgerlakeRequire } from 'node:module';",
  "import { fileURLToPath as __ledgerlakePath } from 'node:url';",
  "import { dirname as __ledgerlakeDirname } from 'node:path';",
  'const require = __ledgerlakeRequire(import.meta.url);',
  'const __filename = __ledgerlakePath(import.meta.url);',
  'const __dirname = __ledgerlakeDirname(__filename);',
].join(' ');

/** Every npm package the repository depends on: left to node_modules. */
function npmPackages() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
  return names.flatMap((name) => [name, `${name}/*`]);
}

/** Builds the bundle into a fresh folder of dist/ and makes it current; returns its entry file. */
function buildBundle() {
  const { buildSync } = require('esbuild');
  const startedAt = Date.now();
  const name = `build-${startedAt}-${process.pid}`;
  const outdir = join(DIST, name);
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: { ledgerlake: 'apps/cli/src/bin.ts', 'map-worker-entry': 'apps/cli/src/map-worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    target: 'node20',
    tsconfig: 'apps/cli/tsconfig.json',
    external: npmPackages(),
    banner: { js: BANNER },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
  });
  const current = { build: name, built_at: startedAt, inputs: buildInputs(Object.keys(result.metafile.inputs)) };
  const temporary = `${CURRENT}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(current)}\n`);
  renameSync(temporary, CURRENT);
  removeOldBuilds(name);
  return join(outdir, 'ledgerlake.mjs');
}

/**
 * What a build depends on: its source files (esbuild's metafile), and what decides how they are
 * bundled — each workspace package's package.json (`sideEffects`), the TypeScript settings, the
 * dependency list and this file.
 */
function buildInputs(sources) {
  const inputs = new Set(['package.json', 'tsconfig.base.json', 'apps/cli/tsconfig.json', 'apps/cli/bundle.js']);
  for (const source of sources) {
    inputs.add(source);
    const workspace = /^((?:apps|libs)\/[^/]+)\//.exec(source);
    if (workspace !== null) inputs.add(`${workspace[1]}/package.json`);
  }
  return [...inputs].sort();
}

function removeOldBuilds(keep) {
  for (const entry of readdirSync(DIST)) {
    const match = /^build-(\d+)-\d+$/.exec(entry);
    if (match === null || entry === keep || Date.now() - Number(match[1]) < KEEP_OLD_BUILDS_MS) continue;
    rmSync(join(DIST, entry), { recursive: true, force: true });
  }
}

/** The current build's entry, or `undefined` when there is none or a source changed since it was built. */
function upToDateBundle() {
  let current;
  try {
    current = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  const entry = join(DIST, current.build, 'ledgerlake.mjs');
  try {
    statSync(entry);
    for (const input of current.inputs) {
      if (statSync(join(ROOT, input)).mtimeMs >= current.built_at) return undefined;
    }
  } catch {
    return undefined;
  }
  return entry;
}

/** The bundle's entry file, built (again) first if needed. */
function currentBundle() {
  const entry = upToDateBundle();
  if (entry !== undefined) return entry;
  mkdirSync(DIST, { recursive: true });
  return buildBundle();
}

module.exports = { buildBundle, currentBundle };

if (require.main === module) {
  mkdirSync(DIST, { recursive: true });
  process.stdout.write(`${relative(process.cwd(), buildBundle())}\n`);
}
