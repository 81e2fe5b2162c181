/**
 * The resampling kernel: the separable EXTENT (pure scale) path gives the pixels of the general
 * MESH path for the same box, for opaque and translucent sources, shrinking and enlarging.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenOnto } from './flatten.js';
import { resample, sampledBox } from './resample.js';
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

/**
 * Case `n` of the wasm/JS comparisons for a `w x h` source: a pure scale; a shift by whole pixels;
 * a shear by whole pixels (fractions exactly 0: results exactly whole numbers before truncation,
 * where any change in the arithmetic shows); a separable mesh of two cells; a skewed cell with a
 * corner that did not project.
 */
function kernelMappings(
  n: number,
  w: number,
  h: number,
  dw: number,
  dh: number,
): ({ extent: readonly [number, number, number, number] } | { cells: Float64Array })[] {
  const x0 = ((n % 5) - 2) * 0.73;
  const y0 = ((n % 4) - 1) * 0.41;
  const [x1, y1] = [x0 + w * (0.3 + (n % 5) * 0.4), y0 + h * (0.4 + (n % 3) * 0.5)];
  const [mx, my] = [Math.floor(dw / 2), Math.floor(dh / 2)];
  return [
    { extent: [x0, y0, x1, y1] },
    { extent: [1, -2, 1 + dw, dh - 2] },
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
}

/** Runs every mapping of {@link kernelMappings} through both kernels; returns the cases compared. */
function compareKernels(n: number, src: Uint8Array, w: number, h: number, dw: number, dh: number): number {
  const base = { src, srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method: 'bicubic' } as const;
  let compared = 0;
  for (const mapping of kernelMappings(n, w, h, dw, dh)) {
    const viaWasm = resample({ ...base, ...mapping });
    const viaJs = resample({ ...base, ...mapping }, { wasm: false });
    assert.deepEqual(Buffer.from(viaWasm), Buffer.from(viaJs), `case ${n}: ${w}x${h} -> ${dw}x${dh}`);
    compared += 1;
  }
  return compared;
}

test('the WebAssembly bicubic kernel gives the pixels of the JavaScript kernel, byte for byte', () => {
  assert.notEqual(bicubicKernel(new Uint8Array(4), 1, 1, 1, 1), null, 'WebAssembly SIMD runs here');
  let compared = 0;
  for (let n = 0; n < 40; n++) {
    const [w, h] = [5 + ((n * 13) % 71), 6 + ((n * 7) % 67)];
    const [dw, dh] = [1 + ((n * 11) % 127), 1 + ((n * 5) % 113)];
    compared += compareKernels(n, randomSource(n + 7, w, h, n % 3 !== 0), w, h, dw, dh);
  }
  assert.equal(compared, 200);
});

/**
 * A source of rectangles of one colour each (a rendered map's flat areas), 1-9 pixels a side; the
 * next rectangle keeps the colour, takes a new one or changes one channel; translucent unless `opaque`.
 */
function blockSource(seed: number, width: number, height: number, opaque: boolean): Uint8Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  const data = new Uint32Array(width * height);
  let colour = 0;
  for (let by = 0; by < height;) {
    const bh = 1 + (next() % 9);
    for (let bx = 0; bx < width;) {
      const bw = 1 + (next() % 9);
      const change = next() % 4;
      if (change === 1)
        colour = (next() | (next() << 8) | (next() << 16) | ((opaque ? 255 : next()) << 24)) >>> 0;
      else if (change > 1) {
        // one channel only, so each of the kernel's lanes is the only one that differs somewhere
        const shift = 8 * (next() % (opaque ? 3 : 4));
        colour = ((colour & ~(255 << shift)) | (next() << shift)) >>> 0;
      }
      for (let y = by; y < Math.min(height, by + bh); y++)
        data.fill(colour, y * width + bx, y * width + bx + bw);
      bx += bw;
    }
    by += bh;
  }
  return new Uint8Array(data.buffer);
}

test('flat areas and edges (16 source pixels of one colour, four equal rows, rows equal to the one above) come out as the JavaScript kernel computes them', () => {
  let compared = 0;
  for (let n = 0; n < 40; n++) {
    const [w, h] = [6 + ((n * 17) % 83), 5 + ((n * 11) % 61)];
    const [dw, dh] = [1 + ((n * 7) % 131), 1 + ((n * 13) % 97)];
    compared += compareKernels(n, blockSource(n + 3, w, h, n % 2 === 0), w, h, dw, dh);
  }
  assert.equal(compared, 200);
});

test('sources of 1-4 pixels a side (no 4x4 block of taps inside, or one) come out as the JavaScript kernel computes them', () => {
  let compared = 0;
  for (let n = 0; n < 32; n++) {
    const [w, h] = [1 + (n % 4), 1 + ((n >> 2) % 4)];
    const [dw, dh] = [1 + ((n * 7) % 23), 1 + ((n * 5) % 19)];
    compared += compareKernels(n, blockSource(n + 5, w, h, n % 2 === 0), w, h, dw, dh);
    compared += compareKernels(n + 1, randomSource(n + 11, w, h, n % 3 !== 0), w, h, dw, dh);
  }
  assert.equal(compared, 320);
});

test('an opaque source on black: the WebAssembly kernel writes black where a pixel has no source, as flattening the result onto black does', () => {
  let black = 0;
  for (let n = 0; n < 20; n++) {
    const [w, h] = [5 + ((n * 13) % 71), 6 + ((n * 7) % 67)];
    const [dw, dh] = [1 + ((n * 11) % 127), 1 + ((n * 5) % 113)];
    const src = randomSource(n + 11, w, h, true);
    const base = { src, srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method: 'bicubic' } as const;
    for (const mapping of kernelMappings(n, w, h, dw, dh)) {
      const label = `case ${n}: ${w}x${h} -> ${dw}x${dh}`;
      const flattened = flattenOnto(resample({ ...base, ...mapping, srcOpaque: true }), 0);
      const onBlack = resample({ ...base, ...mapping, srcOpaque: true, onBlack: true });
      assert.ok(Buffer.from(onBlack).equals(flattened), label);
      assert.ok(
        Buffer.from(resample({ ...base, ...mapping, onBlack: true }, { wasm: false })).equals(flattened),
        `${label}, JS`,
      );
      const words = new Uint32Array(onBlack.buffer, onBlack.byteOffset, onBlack.length >>> 2);
      black += words.filter((word) => word === 0xff000000).length;
    }
  }
  // the mappings reach beyond the source and have an unprojected corner: many pixels without one
  assert.ok(black > 1000, `${black} black pixels`);
});

test('pixels that no cell covers are the fill, not what an earlier job left in the kernel output', () => {
  const [w, h, dw, dh] = [24, 20, 16, 12];
  const base = { srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method: 'bicubic' } as const;
  // a cell of no width covers nothing; the second one covers the left half (a scale); then two
  // sheared cells (transformed pixel by pixel): the whole output, its left part beyond the source
  // (the kernel writes every pixel itself), and the left half
  const halfCell = [0, 0, dw / 2, dh, 0, 0, 0, h, w / 2, h, w / 2, 0];
  const beyondCell = [0, 0, dw, dh, -w / 2, 0, -w / 2 + 3, h, w / 2 + 3, h, w / 2, 0];
  const shearedHalf = [0, 0, dw / 2, dh, 0, 0, 3, h, w / 2 + 3, h, w / 2, 0];
  const meshes = [[0, 0, 0, dh, 0, 0, 0, h, w, h, w, 0], halfCell, beyondCell, shearedHalf].map(
    (cells) => new Float64Array(cells),
  );
  for (const [n, cells] of meshes.entries()) {
    for (const onBlack of [false, true]) {
      const src = randomSource(n + 21, w, h, true);
      // a whole-output scale first, so that the kernel's output holds opaque pixels of a map
      const earlier = resample({ ...base, src, extent: [0, 0, w, h] }, { inKernel: true });
      assert.ok(earlier.some((v, i) => i % 4 === 3 && v === 255));
      const job = { ...base, src, cells, srcOpaque: true, onBlack };
      const viaWasm = resample(job);
      assert.deepEqual(Buffer.from(viaWasm), Buffer.from(resample(job, { wasm: false })), `mesh ${n}`);
      const fill = onBlack ? 0xff000000 : 0;
      const words = new Uint32Array(viaWasm.buffer, viaWasm.byteOffset, viaWasm.length >>> 2);
      const isLeft = (i: number): boolean => i % dw < dw / 2;
      const filled = words.filter((word, i) => (n === 0 || isLeft(i) === (n === 2)) && word === fill).length;
      if (n === 2) assert.ok(filled > dw, `mesh ${n}, onBlack ${onBlack}: ${filled}`);
      else assert.equal(filled, n === 0 ? dw * dh : (dw / 2) * dh, `mesh ${n}, onBlack ${onBlack}`);
    }
  }
});

test('no filter reads a source pixel outside sampledBox: garbage there changes no result', () => {
  let compared = 0;
  for (let n = 0; n < 24; n++) {
    const [w, h] = [9 + ((n * 13) % 61), 7 + ((n * 7) % 53)];
    const [dw, dh] = [1 + ((n * 11) % 97), 1 + ((n * 5) % 83)];
    const src = randomSource(n + 31, w, h, n % 2 === 0);
    for (const mapping of kernelMappings(n, w, h, dw, dh)) {
      const box = sampledBox({ srcWidth: w, srcHeight: h, ...mapping });
      const hasNaN = 'cells' in mapping && mapping.cells.some(Number.isNaN);
      assert.equal(box === undefined, hasNaN, `case ${n}: a box unless a corner did not project`);
      if (box === undefined) continue;
      const [x0, y0, x1, y1] = box;
      const garbled = src.slice();
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          if (x >= x0 && x < x1 && y >= y0 && y < y1) continue;
          garbled.set(
            [(x * 31 + n) & 255, (y * 17) & 255, 255 - x, n % 2 === 0 ? 255 : (x * y) & 255],
            (y * w + x) * 4,
          );
        }
      for (const method of ['bicubic', 'bilinear', 'nearest'] as const) {
        for (const wasm of [true, false]) {
          const job = { srcWidth: w, srcHeight: h, dstWidth: dw, dstHeight: dh, method, ...mapping };
          const clean = Buffer.from(resample({ ...job, src }, { wasm }));
          const got = Buffer.from(resample({ ...job, src: garbled }, { wasm }));
          assert.ok(got.equals(clean), `case ${n}, ${method}, wasm ${wasm}: ${w}x${h} box ${box.join(',')}`);
          compared += 1;
        }
      }
    }
  }
  assert.ok(compared > 500, `${compared}`);
});
