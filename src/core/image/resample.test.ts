/**
 * The resampling kernel: the separable EXTENT (pure scale) path gives the pixels of the general
 * MESH path for the same box, for opaque and translucent sources, shrinking and enlarging.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resample } from './resample.js';
import { bicubicKernel } from './resample-wasm.js';

/** A deterministic pseudo-random source, so a failure can be replayed. */
function randomSource(seed: number, width: number, height: number, opaque: boolean): Uint8Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = opaque && i % 4 === 3 ? 255 : next();
  return data;
}

test('the EXTENT path equals the one-cell MESH path (at most 1 level apart from float rounding)', () => {
  let compared = 0;
  for (let n = 0; n < 60; n++) {
    const [w, h] = [3 + (n % 17), 4 + ((n * 7) % 23)];
    const src = randomSource(n + 1, w, h, n % 2 === 0);
    const [dw, dh] = [1 + ((n * 5) % 31), 1 + ((n * 3) % 29)];
    const x0 = ((n % 5) - 1) * 0.37;
    const y0 = ((n % 3) - 1) * 0.61;
    const [x1, y1] = [x0 + w * (0.4 + (n % 4) * 0.3), y0 + h * (0.5 + (n % 3) * 0.35)];
    const cells = new Float64Array([0, 0, dw, dh, x0, y0, x0, y1, x1, y1, x1, y0]);
    for (const method of ['bilinear', 'bicubic'] as const) {
      const base = { src, srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method };
      const viaExtent = resample({ ...base, extent: [x0, y0, x1, y1] });
      const viaMesh = resample({ ...base, cells });
      let maxDiff = 0;
      for (let i = 0; i < viaMesh.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((viaExtent[i] ?? 0) - (viaMesh[i] ?? 0)));
      assert.ok(maxDiff <= 1, `case ${n} ${method}: ${w}x${h} -> ${dw}x${dh}, max diff ${maxDiff}`);
      compared += 1;
    }
  }
  assert.equal(compared, 120);
});

test('an opaque source keeps alpha 255 inside and leaves the outside transparent', () => {
  const src = randomSource(3, 8, 8, true);
  const out = resample({
    src,
    srcWidth: 8,
    srcHeight: 8,
    dstWidth: 16,
    dstHeight: 8,
    method: 'bicubic',
    extent: [0, 0, 16, 8],
  });
  assert.equal(out[3], 255, 'left half inside the source');
  assert.equal(out[(8 * 16 - 1) * 4 + 3], 0, 'right half outside stays transparent');
});

test('the WebAssembly bicubic kernel gives the pixels of the JavaScript kernel, byte for byte', () => {
  assert.notEqual(bicubicKernel(new Uint8Array(4), 1, 1, 1, 1), null, 'WebAssembly SIMD runs here');
  let compared = 0;
  for (let n = 0; n < 40; n++) {
    const [w, h] = [5 + ((n * 13) % 71), 6 + ((n * 7) % 67)];
    const src = randomSource(n + 7, w, h, n % 3 !== 0);
    const [dw, dh] = [1 + ((n * 11) % 127), 1 + ((n * 5) % 113)];
    const x0 = ((n % 5) - 2) * 0.73;
    const y0 = ((n % 4) - 1) * 0.41;
    const [x1, y1] = [x0 + w * (0.3 + (n % 5) * 0.4), y0 + h * (0.4 + (n % 3) * 0.5)];
    const base = { src, srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method: 'bicubic' } as const;
    // a pure scale; a separable mesh of two cells; a skewed cell with a corner that did not project;
    // a shift and a shear by whole pixels (fractions exactly 0: results exactly whole numbers
    // before truncation, where any change in the arithmetic shows)
    const [mx, my] = [Math.floor(dw / 2), Math.floor(dh / 2)];
    const mappings = [
      { extent: [x0, y0, x1, y1] as const },
      { extent: [1, -2, 1 + dw, dh - 2] as const },
      { cells: new Float64Array([0, 0, dw, dh, 0.5, 0, 0.5 + dh, dh, 0.5 + dw + dh, dh, 0.5 + dw, 0]) },
      {
        cells: new Float64Array([
          ...[0, 0, mx, dh, x0, y0, x0, y1, x0 + (x1 - x0) / 3, y1, x0 + (x1 - x0) / 3, y0],
          ...[mx, 0, dw, dh, x0 + (x1 - x0) / 3, y0, x0 + (x1 - x0) / 3, y1, x1, y1, x1, y0],
        ]),
      },
      {
        cells: new Float64Array([
          ...[0, 0, dw, my, x0, y0 + 1.3, x0 + 0.7, y1, x1 + 2.1, y1 - 0.9, x1, y0],
          ...[0, my, dw, dh, Number.NaN, y0, x0, y1, x1, y1, x1, y0 - 3],
        ]),
      },
    ];
    for (const mapping of mappings) {
      const viaWasm = resample({ ...base, ...mapping });
      const viaJs = resample({ ...base, ...mapping }, { wasm: false });
      assert.deepEqual(Buffer.from(viaWasm), Buffer.from(viaJs), `case ${n}: ${w}x${h} -> ${dw}x${dh}`);
      compared += 1;
    }
  }
  assert.equal(compared, 200);
});
