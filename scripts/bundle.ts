// The second step of `npm run build` (after tsc): what bin/run.js, bin/seed.js, serve's worker
// processes and the image threads load, bundled by esbuild into dist/bundle/esm/.
//
// Every start paid for loading ~300 of our ES modules, oclif's ~150 CommonJS files and yaml's 73,
// one at a time: module loading was most of a start's CPU (check -f examples/mapproxy.yaml ~0.55 s,
// our own code ~50 ms of it). From a bundle a start loads a few files. tsc's per-file dist/ stays
// the package's public module (`exports`, with its types) and what the tests import from dist/.
//
// The layout keeps every path our modules compute from import.meta.url: entries and chunks lie in
// one directory three levels below the package (as dist/core/<module>/ is), so
// ../../../package.json and ../../../templates/ hold; serve's worker entry and the image threads'
// files are entries beside the chunks that name them ('./worker-entry.js', './resample-worker.js');
// the engine's index, which `import 'mapproxy-ts'` in a server script resolves to
// (server/cluster/load-target.ts: '../../index.js'), is dist/index.js, two levels up.
// The commands reach oclif as one object (package.json oclif.commands: the explicit strategy), so
// oclif neither searches dist/commands nor imports its files one by one.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');
/** Where the bundle's entries and chunks go, below dist/ (three levels below the package). */
const DIR = 'bundle/esm';

/**
 * Dependencies bundled: pure JavaScript that every start loads, file by file otherwise. The others
 * stay packages: native code (sharp, better-sqlite3), files of their own at run time (piscina's
 * worker, the demo's ol and proj4 files), or loaded on first use through require (fastify, proj4,
 * log4js, ioredis: util/require-on-first-use.ts).
 */
const BUNDLED = new Set(['@oclif/core', 'yaml']);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const external = [
  ...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  // oclif reads a tsconfig with it in development only
  'typescript',
];

/** The commands oclif runs, by id: one per file of src/commands, as oclif names them there. */
const COMMANDS_ENTRY = 'mapproxy-ts:cli';
const commands = readdirSync(join(ROOT, 'src/commands'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();
const cliEntry: Plugin = {
  name: 'cli-entry',
  setup(b) {
    b.onResolve({ filter: /^mapproxy-ts:cli$/ }, (args) => ({ path: args.path, namespace: 'cli-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'cli-entry' }, () => ({
      resolveDir: ROOT,
      loader: 'js',
      contents: [
        "export { execute } from '@oclif/core';",
        ...commands.map((id, i) => `import command${String(i)} from './src/commands/${id}.js';`),
        `export const COMMANDS = { ${commands.map((id, i) => `'${id}': command${String(i)}`).join(', ')} };`,
      ].join('\n'),
    }));
  },
};

/** The image threads' files (image/thread-pool.ts starts `./<name>.js` beside itself). */
const threadEntries = readdirSync(join(ROOT, 'src/core/image'))
  .filter((file) => file.endsWith('-worker.ts'))
  .map((file) => [`${DIR}/${basename(file, '.ts')}`, `src/core/image/${file}`] as const);

// chunks are named by their content: the last build's would pile up
rmSync(join(OUT, 'bundle'), { recursive: true, force: true });

await build({
  entryPoints: {
    [`${DIR}/cli`]: COMMANDS_ENTRY,
    // serve's worker processes (server/cluster/primary.ts forks './worker-entry.js')
    [`${DIR}/worker-entry`]: 'src/core/server/cluster/worker-entry.ts',
    ...Object.fromEntries(threadEntries),
    index: 'src/core/index.ts',
  },
  absWorkingDir: ROOT,
  outdir: OUT,
  chunkNames: `${DIR}/[name]-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [cliEntry],
  // bundled CommonJS (oclif) requires Node's modules
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
  // no keepNames: it wraps every named function and arrow that code creates in a __name() call
  // (Object.defineProperty on each new closure), 1.4% of a serve worker's event-loop CPU under the
  // bench's WMS load and 0.6% of its image thread's (perf). Names stay as written all the same,
  // inferred from declarations and bindings; only a top-level name that collides between bundled
  // modules is renamed (esbuild: oclif's Command12, yaml's LineCounter2; none of ours, so every
  // error class keeps its name for ProxyError's new.target.name)
  // V8 keeps each script's source on the heap of every isolate that loads it (a serve worker and
  // its image thread): without comments and indentation the chunks are ~30% smaller, and none holds
  // a character beyond Latin-1 (a '→' in a comment made two chunks two-byte strings, 1 MB of heap
  // for 0.5 MB of source). Names and lines of stack traces: the linked source map (--enable-source-maps)
  minifyWhitespace: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
