// The AssemblyScript compile of the image kernels in wasm/ into one module, shared by build-wasm.ts
// and the test that checks the committed module is current.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The part of AssemblyScript's compiler API used here. */
interface AscApi {
  createMemoryStream(): { toString(): string };
  main(
    args: readonly string[],
    options: { stderr: unknown; writeFile(name: string, contents: Uint8Array | string): void },
  ): Promise<{ error: Error | null }>;
}

// Imported through a variable so TypeScript never reads AssemblyScript's declarations: they
// redeclare the global Array (e.g. `at()` returning T), which changes the types of the whole
// program for typecheck and lint.
const ASC_MODULE = 'assemblyscript/asc';

/**
 * The module's sources, one entry file each (their exports are the module's): the bicubic kernel,
 * the paletted PNG row expansion and FASTOCTREE's pixel loops share one memory a thread lays out.
 */
const SOURCES = ['resample-kernel.ts', 'palette-expand.ts', 'octree-count.ts'];

const sourceUrl = (name: string): URL => new URL(`../wasm/${name}`, import.meta.url);

/** The wasm bytes of the kernels: optimised, no runtime (the caller lays out memory), SIMD. */
export async function compileResampleKernel(): Promise<Uint8Array> {
  const sources = SOURCES.map((name) => fileURLToPath(sourceUrl(name)));
  const { default: asc } = (await import(ASC_MODULE)) as { default: AscApi };
  const written: { wasm?: Uint8Array } = {};
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(
    [
      ...sources,
      '-O3',
      '--runtime',
      'stub',
      '--noAssert',
      '--enable',
      'simd',
      '--initialMemory',
      '1',
      '-o',
      'kernel.wasm',
    ],
    {
      stderr,
      writeFile(name: string, contents: Uint8Array | string) {
        if (name.endsWith('.wasm') && typeof contents !== 'string') written.wasm = contents;
      },
    },
  );
  if (error !== null) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (written.wasm === undefined) throw new Error('asc wrote no .wasm');
  return written.wasm;
}

/**
 * The SHA-256 of what the module is built from: the AssemblyScript sources and the compiler's
 * version. The build writes it beside the bytes; a unit test compares it (cheap) instead of
 * compiling again (~10 s of CPU in every test run).
 */
export function resampleKernelInputsSha256(): string {
  const { version } = createRequire(import.meta.url)('assemblyscript/package.json') as { version: string };
  const hash = createHash('sha256');
  for (const name of SOURCES)
    hash
      .update(`${name}\0`)
      .update(readFileSync(sourceUrl(name)))
      .update('\0');
  return hash.update(`\0assemblyscript ${version}`).digest('hex');
}
