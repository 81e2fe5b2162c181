// `npm test`: the test files run by `node --test` as JavaScript, compiled once up front.
//
// node --test starts a process per test file (~230). Under `--import tsx` each paid for tsx
// itself (~0.2 s of CPU: its loader thread, an esbuild service process, its CJS hooks), then for
// every module it loaded through the loader thread, and each image worker thread compiled its
// TypeScript again. Here the checkout is copied to a temporary directory (mtimes kept, so
// test/helpers/dist.ts judges dist/ against the sources as before; node_modules/ and dist/ linked)
// and each .ts of src/, test/, bench/ and scripts/ gets its .js beside it from esbuild, the
// transform tsx applies (types stripped; erasableSyntaxOnly); the test files themselves (and what
// a test process loads by path) are bundled, see LOADED_BY_PATH. The tests run there, in the
// copy's root, so their paths relative to the repository hold; a child process that a test starts
// through tsx on a .ts file finds it there. Arguments: test files to run instead of all.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statfsSync,
  symlinkSync,
} from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The directories whose TypeScript the tests import (tsconfig.test.json's `include`). */
const COMPILED = ['src', 'test', 'bench', 'scripts'];
/** Linked, not copied: installed and built, large, and read only. */
const LINKED = new Set(['node_modules', 'dist']);
/** Not copied: the bench's results, which can be large and no test reads. */
const NOT_COPIED = new Set(['bench/results']);

const isTs = (file: string): boolean => file.endsWith('.ts') && !file.endsWith('.d.ts');

const files = process.argv.slice(2);
const testFiles =
  files.length > 0
    ? files.map((file) => relative(ROOT, resolve(file)))
    : ['test', 'src'].flatMap((dir) =>
        readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.test.ts'))
          .map((file) => join(dir, file))
          .sort(),
      );

/** statfs's f_type of a tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;
/** Free room /dev/shm needs: a whole run kept 50 MB there at most (the copy 30 MB of it). */
const SCRATCH_BYTES = 2 * 1024 ** 3;
/**
 * Where the copy and the tests' temporary files go: /dev/shm when it is a writable tmpfs with room
 * (a container's 64 MB default is not), else the system's temporary directory; an explicit TMPDIR
 * is always kept. The tests write and delete many small files (caches, tile locks, seeded levels,
 * copies of caches): on the disk here (ext4 mounted with discard) that was kernel time, in memory
 * it is not (seed-mapproxy 18.5/15.5 -> 8.4/9.9 s of CPU, 34-49 -> 10-13 s wall).
 */
function scratchRoot(): string {
  if (process.env.TMPDIR !== undefined && process.env.TMPDIR !== '') return tmpdir();
  try {
    const shm = statfsSync('/dev/shm');
    accessSync('/dev/shm', constants.W_OK);
    if (shm.type === TMPFS_MAGIC && shm.bavail * shm.bsize >= SCRATCH_BYTES) return '/dev/shm';
  } catch {
    // no /dev/shm (or not ours to write): the disk
  }
  return tmpdir();
}
const root = scratchRoot();
const out = mkdtempSync(join(root, 'mapproxy-ts-test-'));
/** The test processes' TMPDIR: whatever they leave behind goes with it when the run ends. */
const scratch = mkdtempSync(join(root, 'mapproxy-ts-tmp-'));
process.on('exit', () => {
  rmSync(out, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});
/** The test runner, once started: a signal is passed on to it (the copy goes when it ends). */
const runner: { child?: ChildProcess } = {};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => {
    if (runner.child === undefined) process.exit(128);
    else runner.child.kill(signal);
  });

const sources: string[] = [];
for (const entry of readdirSync(ROOT)) {
  if (entry === '.git') continue;
  if (LINKED.has(entry)) {
    symlinkSync(join(ROOT, entry), join(out, entry));
    continue;
  }
  cpSync(join(ROOT, entry), join(out, entry), {
    recursive: true,
    preserveTimestamps: true,
    filter: (path) => !NOT_COPIED.has(relative(ROOT, path)),
  });
  if (COMPILED.includes(entry))
    for (const file of readdirSync(join(out, entry), { recursive: true, encoding: 'utf8' }))
      if (isTs(file)) sources.push(join(out, entry, file));
}

// esbuild as tsx has it (tsx depends on it; the project does not)
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx'))(
  'esbuild',
) as typeof import('esbuild');
const tsconfig = {
  compilerOptions: { target: 'ES2023', verbatimModuleSyntax: true, useDefineForClassFields: true },
};
const common = {
  outdir: out,
  outbase: out,
  format: 'esm',
  platform: 'node',
  target: `node${process.versions.node}`,
  tsconfigRaw: tsconfig,
  logLevel: 'warning',
} as const;
/**
 * Besides the test files, what a test process loads by its path: oclif the commands (runCommand),
 * a server script `mapproxy-ts` (src/core/index), thread pools and cluster their workers.
 */
const LOADED_BY_PATH = (file: string): boolean =>
  file.startsWith('src/commands/') ||
  file === 'src/core/index.ts' ||
  /^src\/core\/image\/[\w-]+-worker\.ts$/.test(file) ||
  file === 'src/core/server/cluster/worker-entry.ts';
const bundled = new Set([
  ...testFiles.map((file) => join(out, file)),
  ...sources.filter((file) => !file.endsWith('.test.ts') && LOADED_BY_PATH(relative(out, file))),
]);
// The test files and what is loaded by path are bundled together with their src/test imports
// (packages stay external), split into chunks that they share: a test process loads a few dozen
// files instead of ~300 modules, which was most of its start (45 small files: 52 -> 42 s of CPU),
// and a module loaded by path (a command in runCommand) is the instance the test holds, not a
// second copy (one bundle a test file, without the split, gave runCommand's commands an engine of
// their own: seed-metrics then hung). Written before the
// per-file outputs, so that esbuild resolves `./x.js` to the .ts beside it, not to that output.
// Every module keeps its own import.meta.url/dirname/filename (src finds templates/, schema/,
// wasm and its worker entry files by them): each is replaced by its per-file output's, which
// child processes and dynamic imports of a computed path load as before.
await esbuild.build({
  ...common,
  entryPoints: [...bundled],
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  packages: 'external',
  sourcemap: 'linked',
  plugins: [
    {
      name: 'import-meta',
      setup(build) {
        build.onLoad({ filter: /\.ts$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes('import.meta') && !text.includes('import(`'))
            return { contents: text, loader: 'ts' };
          const file = args.path.replace(/\.ts$/, '.js');
          const url = JSON.stringify(pathToFileURL(file).href);
          return {
            contents: text
              .replaceAll('import.meta.url', url)
              .replaceAll('import.meta.dirname', JSON.stringify(dirname(file)))
              .replaceAll('import.meta.filename', JSON.stringify(file))
              // a relative import of a computed path (a fresh instance: `./x.js?${n}`), which esbuild
              // would look for among the bundle's files, loads the module's per-file output
              .replace(/\bimport\(\s*`(\.\.?\/[^`]*)`/g, `import(new URL(\`$1\`, ${url}).href`),
            loader: 'ts',
          };
        });
      },
    },
  ],
});
await esbuild.build({
  ...common,
  entryPoints: sources.filter((file) => !bundled.has(file)),
  sourcemap: 'inline',
});

runner.child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=4',
    '--test-timeout=300000',
    ...testFiles.map((file) => join(out, file.replace(/\.ts$/, '.js'))),
  ],
  { cwd: out, stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } },
);
runner.child.on('exit', (code) => {
  process.exitCode = code ?? 1;
  // removed here, not by the exit handler's rmSync: its unlinks overlap (6.4-9.0 s for the ~2,500
  // entries with rmSync, 0.8-1.0 s this way, each unlink waiting on the disk)
  for (const dir of [out, scratch])
    rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined); // else rmSync at exit
});
