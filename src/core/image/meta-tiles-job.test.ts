/**
 * A meta tile job on a thread reuses that thread's tile and PNG buffers across jobs: a job after a
 * larger one, with tiles partly outside the image after tiles inside it, still gives the bytes of
 * encoding each freshly cut tile on its own.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { cutTile } from './cut-tile.js';
import { encodeMetaTiles, type MetaTilesJob } from './meta-tiles-job.js';
import { encodePalettePng } from './palette-png.js';

/** Noisy pixels (PNGs of ~10-40 kB a 128x128 tile), some translucent. */
function pixels(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  let state = seed;
  for (let i = 0; i < width * height; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data.set([state >>> 24, (state >>> 16) & 255, i % 251, i % 7 === 0 ? 100 : 255], i * 4);
  }
  return data;
}

function job(size: readonly [number, number], offsets: MetaTilesJob['offsets'], seed: number): MetaTilesJob {
  return {
    png: null,
    pixels: pixels(size[0], size[1], seed),
    size,
    tileSize: [128, 128],
    offsets,
    canvas: { fill: [255, 255, 255, 0], rgb: false },
    colors: 256,
    withAlpha: true,
    quantizer: 'fastoctree',
    returnPixels: false,
    pngsBuffer: null,
  };
}

function separately(meta: MetaTilesJob): Buffer[] {
  return meta.offsets.map((offset) =>
    encodePalettePng({
      data: cutTile({ data: meta.pixels as Uint8Array, size: meta.size }, meta.tileSize, offset, meta.canvas),
      width: 128,
      height: 128,
      colors: meta.colors,
      withAlpha: meta.withAlpha,
      quantizer: meta.quantizer,
    }),
  );
}

test('jobs after larger ones, and edge tiles after inner ones, give the bytes of each tile encoded alone', () => {
  const inner: [number, number][] = [];
  for (let y = 0; y < 512; y += 128) for (let x = 0; x < 512; x += 128) inner.push([x, y]);
  const jobs = [
    job([512, 512], inner, 1), // 16 noisy tiles: more than the PNG buffer's first size
    job(
      [200, 150],
      [
        [-40, -20],
        [100, 60],
        [0, 0],
      ],
      2,
    ),
    job([512, 512], inner.slice(0, 5), 3),
  ];
  for (const [n, meta] of jobs.entries()) {
    const result = encodeMetaTiles(meta);
    assert.ok(result);
    const want = separately(meta);
    assert.deepEqual(
      result.lengths,
      want.map((png) => png.length),
      `job ${String(n)}`,
    );
    assert.ok(Buffer.from(result.pngs).equals(Buffer.concat(want)), `job ${String(n)} bytes`);
  }
});

test('PNGs that fit the spare buffer are written into it', () => {
  const meta = job(
    [256, 128],
    [
      [0, 0],
      [128, 0],
    ],
    4,
  );
  const pngsBuffer = new ArrayBuffer(1024 * 1024);
  const result = encodeMetaTiles({ ...meta, pngsBuffer });
  assert.ok(result);
  assert.equal(result.pngs.buffer, pngsBuffer);
  assert.ok(Buffer.from(result.pngs).equals(Buffer.concat(separately(meta))));
});
