// The AssemblyScript compile of wasm/resample-kernel.ts, shared by build-wasm.ts and the test
// that checks the committed module is current.
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';

/** The wasm bytes of the kernel: optimised, no runtime (the caller lays out memory), SIMD. */
export async function compileResampleKernel(): Promise<Uint8Array> {
  const source = fileURLToPath(new URL('../wasm/resample-kernel.ts', import.meta.url));
  const written: { wasm?: Uint8Array } = {};
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(
    [
      source,
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
