/**
 * Whether `dist/` holds the build of the current sources, and how a child process imports a
 * project module: from that build when it is current (no TypeScript loader to start in the child),
 * otherwise from the source through tsx.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** tsx's loader as an absolute URL, so a child also runs with a cwd outside the repository. */
const TSX_LOADER = import.meta.resolve('tsx');
/** The bundle's entry that bin/run.js imports, below dist/. */
const BUNDLE_ENTRY = 'bundle/esm/cli.js';

/**
 * Whether `dist/` holds the build of the current sources: every non-test `.ts` under src/ has its
 * `.js` in dist/ written after it, and the CLI's bundle after all of them (`npm ci` builds dist
 * through `prepare`; an edit since then makes it stale). No oclif manifest may exist either, since
 * bin/run.js would trust its flags.
 */
export function isDistCurrent(root = ROOT): boolean {
  try {
    statSync(join(root, 'oclif.manifest.json'));
    return false;
  } catch {
    // no manifest: oclif reads the command classes themselves
  }
  // what tsconfig.build.json compiles
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => /(?<!\.test|\.d)\.ts$/.test(file) && !/(^|[/\\])(testing|testdata)[/\\]/.test(file),
  );
  try {
    // bin/run.js, bin/seed.js and serve's workers run the bundle `npm run build` writes after tsc
    // (scripts/bundle.ts): a tsc-only build leaves it stale while dist/'s own files are current
    const bundled = statSync(join(root, 'dist', BUNDLE_ENTRY)).mtimeMs;
    return sources.every((file) => {
      const source = statSync(join(root, 'src', file)).mtimeMs;
      return (
        statSync(join(root, 'dist', file.replace(/\.ts$/, '.js'))).mtimeMs >= source && bundled >= source
      );
    });
  } catch {
    return false; // not built (yet)
  }
}

/** `isDistCurrent()` when this module was loaded (what children of this test process run). */
export const DIST_IS_CURRENT = isDistCurrent();

/**
 * Node flags and the module to import for a child process (`node -e`) that uses the project module
 * `sourceFile` (an absolute path below src/, ending in .ts).
 */
export function childImport(sourceFile: string): {
  readonly execArgv: readonly string[];
  readonly module: string;
} {
  if (!DIST_IS_CURRENT) return { execArgv: ['--import', TSX_LOADER], module: sourceFile };
  return {
    execArgv: [],
    module: join(ROOT, 'dist', relative(join(ROOT, 'src'), sourceFile)).replace(/\.ts$/, '.js'),
  };
}
