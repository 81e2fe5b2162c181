/**
 * The committed WebAssembly module is the build of its AssemblyScript sources (wasm/*.ts)
 * with the installed compiler: the fingerprint written by the build still matches both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resampleKernelInputsSha256 } from '../../../scripts/compile-wasm.js';
import { RESAMPLE_KERNEL_INPUTS_SHA256 } from './resample-kernel-wasm.js';

test('resample-kernel-wasm.ts is built from the current source and compiler (run npm run build:wasm)', () => {
  assert.equal(RESAMPLE_KERNEL_INPUTS_SHA256, resampleKernelInputsSha256());
});
