/**
 * The committed WebAssembly kernel is the build of its AssemblyScript source (wasm/resample-kernel.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileResampleKernel } from '../../../scripts/compile-wasm.js';
import { RESAMPLE_KERNEL_WASM_BASE64 } from './resample-kernel-wasm.js';

test('resample-kernel-wasm.ts is up to date (run npm run build:wasm)', async () => {
  const built = Buffer.from(await compileResampleKernel()).toString('base64');
  assert.ok(built === RESAMPLE_KERNEL_WASM_BASE64, 'the committed module differs from a fresh build');
});
