/**
 * Pillow's FASTOCTREE, which MapProxy 1.15 quantises every 8-bit PNG with: testdata/octree holds
 * sources and what `Image.quantize(256, Image.FASTOCTREE)` (Pillow 9.4) made of them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import sharp from 'sharp';
import { encodePalettePng } from './palette-png.js';
import { javascriptLoops, quantizeOctree } from './quantize-octree.js';
import { kernelInstance } from './kernel-instance.js';
import { isReadInPlace, SCRATCH_BYTES, wasmOctreeLoops } from './quantize-octree-wasm.js';

async function rgba(name: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(await readFile(new URL(`testdata/octree/${name}`, import.meta.url)))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels whose palette colour differs from Pillow's (alpha compared only `withAlpha`). */
function differing(source: Uint8Array, expected: Uint8Array, withAlpha: boolean): number {
  const { palette, indices } = quantizeOctree(source, 256, withAlpha);
  let count = 0;
  indices.forEach((index, i) => {
    for (let c = 0; c < (withAlpha ? 4 : 3); c++) {
      if (palette[index * 4 + c] !== expected[i * 4 + c]) {
        count++;
        return;
      }
    }
  });
  return count;
}

test('a map with 6000 colours gets exactly Pillow’s palette colour at every pixel', async () => {
  assert.equal(differing((await rgba('map.png')).data, (await rgba('map.pillow.png')).data, false), 0);
});

test('with alpha: translucent pixels as Pillow, every fully transparent one in one entry', async () => {
  const source = await rgba('alpha.png');
  assert.equal(differing(source.data, (await rgba('alpha.pillow.png')).data, true), 0);
});

test('two colours in one fine bucket become their mean, as in Pillow (no exact palette)', async () => {
  const source = await rgba('near-white.png');
  assert.equal(differing(source.data, (await rgba('near-white.pillow.png')).data, false), 0);
  const png = encodePalettePng({ ...source, colors: 256, withAlpha: false });
  const decoded = await sharp(png).ensureAlpha().raw().toBuffer();
  assert.deepEqual([...decoded.subarray(0, 4)], [10, 20, 30, 255]);
  assert.deepEqual([...decoded.subarray(16 * 4, 16 * 4 + 4)], [253, 253, 253, 255]);
});

test('the WebAssembly pixel loops give the JavaScript loops’ palette and indices, byte for byte', async () => {
  const loops = wasmOctreeLoops();
  assert.ok(loops !== null, 'WebAssembly SIMD runs here');
  const images: [string, Uint8Array][] = [];
  for (const name of ['map.png', 'alpha.png', 'near-white.png', 'map.pillow.png'])
    images.push([name, (await rgba(name)).data]);
  // more than one chunk of the wasm loops (65536 pixels): the first fully transparent pixel in the
  // first, more in the second (all take the first one's colour); long runs and noise
  const big = new Uint8Array(300 * 301 * 4);
  let state = 7;
  for (let i = 0; i < big.length; i += 4) {
    state = (state * 1103515245 + 12345) >>> 0;
    const run = Math.floor(i / 4 / 97) % 3 === 0;
    big.set(run ? [200, 30, 90, 255] : [state >>> 24, (state >>> 16) & 255, (state >>> 8) & 255, 255], i);
    if (i / 4 >= 60_000 && (i / 4) % 13 === 0)
      big.set([(state >>> 20) & 255, 1, 2, (i / 4) % 26 === 0 ? 0 : 77], i);
  }
  images.push(['big', big], ['one pixel', Uint8Array.of(9, 8, 7, 0)], ['empty', new Uint8Array(0)]);
  // a resampled map in kernel memory past the loops' scratch is read where it is (no chunk copies)
  const at = 4 << 20;
  const memory = kernelInstance(at + big.length)?.memory;
  assert.ok(memory !== undefined);
  const inKernel = new Uint8Array(memory.buffer, at, big.length);
  inKernel.set(big);
  assert.ok(isReadInPlace(inKernel), 'read in place');
  assert.ok(!isReadInPlace(new Uint8Array(memory.buffer, 0, 16)), 'not inside the scratch');
  assert.ok(!isReadInPlace(big), 'not outside kernel memory');
  images.push(['big, in kernel memory', inKernel]);
  for (const [name, data] of images) {
    for (const withAlpha of [false, true]) {
      for (const colors of [256, 17, 1]) {
        const js = quantizeOctree(data, colors, withAlpha, javascriptLoops());
        const wasm = quantizeOctree(data, colors, withAlpha, loops);
        const label = `${name}, ${colors} colours${withAlpha ? ', alpha' : ''}`;
        assert.deepEqual(wasm.palette, js.palette, `${label}: palette`);
        assert.ok(Buffer.from(wasm.indices).equals(js.indices), `${label}: indices`);
      }
    }
  }
});

test('an image read in place keeps its buckets in the kernel memory before it, never over it', () => {
  const loops = wasmOctreeLoops();
  assert.ok(loops !== null, 'WebAssembly SIMD runs here');
  // more than one chunk (65536 pixels), runs and noise, some fully transparent pixels
  const pixels = 300 * 301;
  const image = new Uint8Array(pixels * 4);
  let state = 11;
  for (let i = 0; i < image.length; i += 4) {
    state = (state * 1103515245 + 12345) >>> 0;
    const run = Math.floor(i / 4 / 61) % 2 === 0;
    image.set(run ? [20, 130, 90, 255] : [state >>> 24, (state >>> 16) & 255, (state >>> 8) & 255, 255], i);
    if ((i / 4) % 17 === 0) image[i + 3] = 0;
  }
  const table = pixels * 2;
  // the image right after room for the table (the table goes there), and 16 bytes short of it
  // (no room: the kept table, as for any other image); both stay as they were
  for (const at of [SCRATCH_BYTES + table, SCRATCH_BYTES + table - 16]) {
    const memory = kernelInstance(at + image.length)?.memory;
    assert.ok(memory !== undefined);
    new Uint8Array(memory.buffer).fill(0xee, SCRATCH_BYTES, at);
    new Uint8Array(memory.buffer, at, image.length).set(image);
    for (const withAlpha of [false, true]) {
      const inKernel = new Uint8Array(memory.buffer, at, image.length);
      assert.ok(isReadInPlace(inKernel));
      const js = quantizeOctree(image, 256, withAlpha, javascriptLoops());
      const wasm = quantizeOctree(inKernel, 256, withAlpha, loops);
      const label = `image at scratch + ${at - SCRATCH_BYTES}${withAlpha ? ', alpha' : ''}`;
      assert.deepEqual(wasm.palette, js.palette, `${label}: palette`);
      assert.ok(Buffer.from(wasm.indices).equals(js.indices), `${label}: indices`);
      assert.ok(Buffer.from(new Uint8Array(memory.buffer, at, image.length)).equals(image), `${label}: image kept`);
      const gap = new Uint8Array(memory.buffer).subarray(SCRATCH_BYTES, at);
      const written = gap.some((byte) => byte !== 0xee);
      assert.equal(written, at >= SCRATCH_BYTES + table, `${label}: table before the image`);
    }
  }
});
