/**
 * A lazy resampling (a WMS map's) encodes to the very bytes of a resampling run at once, and knows
 * without its pixels when it holds no translucent pixel.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import sharp from 'sharp';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import {
  closeImageWorkers,
  encodeReleasing,
  imageFromBytes,
  imageFromRaw,
  resolveImageOptions,
  stitchImages,
  transformImage,
  type ImageResult,
} from './index.js';
import { takeMosaicRaw } from './mosaic.js';
import { hasTranslucentPixel } from './pixels.js';
import { isKnownOpaque } from './resampled-image.js';
import { resampleInWorker } from './worker-pool.js';

test.after(() => closeImageWorkers());

test('the encode options are an 8-bit PNG', () => {
  assert.equal(PNG8.colors, 256);
});

const EPSG3857 = getSrs('EPSG:3857');
const EPSG4326 = getSrs('EPSG:4326');
const TILE = 64;
/** Tiles this large make the map's pixels lie past the quantiser's scratch in kernel memory (read in place). */
const LARGE_TILE = 256;
/** The 2x2 tiles' extent in EPSG:3857 (a piece of Europe). */
const TILES_BBOX: BBox = [0, 5_000_000, 1_000_000, 6_000_000];

const tiles = new Map<string, Promise<Buffer>>();

/**
 * A tile of noise and smooth gradients; `kind` says how it is stored. Made once per test file:
 * libimagequant takes ~0.5 s of CPU for a paletted 256-pixel tile of noise.
 */
function tile(seed: number, kind: 'palette' | 'rgb' | 'translucent', size = TILE): Promise<Buffer> {
  const key = `${seed} ${kind} ${size}`;
  let made = tiles.get(key);
  if (made === undefined) tiles.set(key, (made = makeTile(seed, kind, size)));
  return made;
}

async function makeTile(
  seed: number,
  kind: 'palette' | 'rgb' | 'translucent',
  size: number,
): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 4);
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < data.length; i += 4) {
    const x = (i >> 2) % size;
    data.set(
      [next() & 0xf0, x * 4, (seed * 40 + (i >> 8)) & 255, kind === 'translucent' && x > 40 ? 90 : 255],
      i,
    );
  }
  const image = sharp(data, { raw: { width: size, height: size, channels: 4 } });
  if (kind === 'translucent') return image.png().toBuffer();
  return image
    .removeAlpha()
    .png({ palette: kind === 'palette' })
    .toBuffer();
}

async function mosaic(
  kinds: readonly ('palette' | 'rgb' | 'translucent' | null)[],
  size = TILE,
): Promise<ImageResult> {
  const tiles = await Promise.all(
    kinds.map(async (kind, i) => (kind === null ? null : imageFromBytes(await tile(i + 1, kind, size)))),
  );
  return stitchImages(tiles, [2, 2], [size, size]);
}

/** MapProxy's default PNG: paletted, 256 colours (FASTOCTREE). */
const PNG8 = resolveImageOptions({ format: 'image/png' });

interface Case {
  readonly name: string;
  readonly tiles: readonly ('palette' | 'rgb' | 'translucent' | null)[];
  readonly bbox: BBox;
  readonly srs: typeof EPSG3857;
  readonly opaque: boolean;
  /** What the lazy image knows of its alpha without pixels. */
  readonly knownOpaque: boolean;
  /** Default: TILE. */
  readonly tile?: number;
  /** Default: 90x70. */
  readonly size?: [number, number];
}

// a box in EPSG:4326 inside TILES_BBOX, and the same SRS scaled inside or beyond the tiles
const INSIDE_3857: BBox = [100_000, 5_100_000, 900_000, 5_900_000];
const BEYOND_3857: BBox = [-100_000, 5_100_000, 900_000, 5_900_000];
const INSIDE_4326: BBox = [1, 42, 7, 46];
const OPAQUE = ['palette', 'rgb', 'palette', 'palette'] as const;

const OPAQUE_SCALE: Case = {
  name: 'a scale inside opaque tiles',
  tiles: OPAQUE,
  bbox: INSIDE_3857,
  srs: EPSG3857,
  opaque: false,
  knownOpaque: true,
};

const OPAQUE_REPROJECTION: Case = {
  name: "a reprojection of an opaque cache's tiles",
  tiles: OPAQUE,
  bbox: INSIDE_4326,
  srs: EPSG4326,
  opaque: true,
  knownOpaque: true,
};

const CASES: readonly Case[] = [
  OPAQUE_SCALE,
  {
    name: 'a scale beyond opaque tiles',
    tiles: OPAQUE,
    bbox: BEYOND_3857,
    srs: EPSG3857,
    opaque: false,
    knownOpaque: false,
  },
  {
    name: 'a scale inside tiles with a translucent one',
    tiles: ['palette', 'translucent', 'rgb', 'palette'],
    bbox: INSIDE_3857,
    srs: EPSG3857,
    opaque: false,
    knownOpaque: false,
  },
  {
    name: 'a scale inside tiles with one missing',
    tiles: ['palette', null, 'rgb', 'palette'],
    bbox: INSIDE_3857,
    srs: EPSG3857,
    opaque: false,
    knownOpaque: false,
  },
  OPAQUE_REPROJECTION,
  {
    name: "a reprojection of a transparent cache's tiles",
    tiles: ['palette', 'translucent', null, 'rgb'],
    bbox: INSIDE_4326,
    srs: EPSG4326,
    opaque: false,
    knownOpaque: false,
  },
  // the map's pixels past the quantiser's scratch in kernel memory (read where they are), and
  // a map whose pixels would reach into that scratch (copied out first)
  { ...OPAQUE_SCALE, name: 'large tiles: a scale', tile: LARGE_TILE, size: [300, 200] },
  { ...OPAQUE_REPROJECTION, name: 'large tiles: a reprojection', tile: LARGE_TILE, size: [300, 200] },
  { ...OPAQUE_REPROJECTION, name: 'a map larger than its tiles', size: [300, 250] },
];

function sizeOf(c: Case): [number, number] {
  return c.size ?? [90, 70];
}

async function transformed(c: Case, lazy: boolean): Promise<ImageResult> {
  return transformImage(
    await mosaic(c.tiles, c.tile ?? TILE),
    { bbox: TILES_BBOX, srs: EPSG3857 },
    { bbox: c.bbox, srs: c.srs, size: sizeOf(c) },
    { resampling: 'bicubic', opaque: c.opaque, lazy },
  );
}

for (const c of CASES) {
  test(`${c.name}: resampled lazily, its 8-bit PNG and pixels are those of a resampling at once`, async () => {
    const eager = await transformed(c, false);
    const pixels = Buffer.from((await eager.raw()).data);
    const expected = await imageFromRaw({ data: pixels, size: sizeOf(c) }).encode(PNG8);
    // the one-task encode, as a plain and as a last encode
    const png = await (await transformed(c, true)).encode(PNG8);
    assert.equal(png.format, 'image/png');
    assert.ok(png.data.equals(expected.data), 'encode');
    assert.ok(
      (await encodeReleasing(await transformed(c, true), PNG8)).data.equals(expected.data),
      'last encode',
    );
    // pixels first, then an encode of them
    const lazy = await transformed(c, true);
    assert.ok(Buffer.from((await lazy.raw()).data).equals(pixels), 'raw');
    assert.ok((await encodeReleasing(lazy, PNG8)).data.equals(expected.data), 'encode after raw');
  });

  test(`${c.name}: ${c.knownOpaque ? 'known' : 'not known'} to be opaque without its pixels`, async () => {
    const lazy = await transformed(c, true);
    assert.equal(isKnownOpaque(lazy), c.knownOpaque);
    // known opaque is true to the pixels; these cases' pixels are all translucent somewhere otherwise
    assert.equal(hasTranslucentPixel((await lazy.raw()).data), !c.knownOpaque);
  });
}

test('a lazy resampling of a corrupt tile rejects its encode as the resampling at once rejects', async () => {
  const good = await tile(1, 'palette');
  const corrupt = Buffer.from(good);
  corrupt.fill(7, 45, corrupt.length - 12);
  const corruptMosaic = async (): Promise<ImageResult> =>
    stitchImages([imageFromBytes(good), imageFromBytes(corrupt), null, null], [2, 2], [TILE, TILE]);
  const args = [
    { bbox: TILES_BBOX, srs: EPSG3857 },
    { bbox: INSIDE_3857, srs: EPSG3857, size: [90, 70] },
  ] as const;
  await assert.rejects(transformImage(await corruptMosaic(), ...args, { resampling: 'bicubic' }), {
    code: 'IMAGE_DECODE',
  });
  const lazy = await transformImage(await corruptMosaic(), ...args, { resampling: 'bicubic', lazy: true });
  await assert.rejects(lazy.encode(PNG8), { code: 'IMAGE_DECODE' });
});

/** The tiles of {@link mosaic} as pixels (tiles created on a miss are drawn from their images). */
async function pixelMosaic(kinds: readonly ('palette' | 'rgb' | 'translucent')[]): Promise<ImageResult> {
  const tiles = await Promise.all(
    kinds.map(async (kind, i) => {
      const { data, info } = await sharp(await tile(i + 1, kind))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return imageFromRaw({ data, size: [info.width, info.height] });
    }),
  );
  return stitchImages(tiles, [2, 2], [TILE, TILE]);
}

test('a mosaic of pixel tiles gives its pixels for a move in a canvas of their own, until it is stitched', async () => {
  const image = await pixelMosaic(OPAQUE);
  const taking = takeMosaicRaw(image);
  const takingAgain = takeMosaicRaw(image);
  assert.ok(taking !== null && takingAgain !== null);
  const [taken, again] = await Promise.all([taking, takingAgain]);
  assert.notEqual(again.data.buffer, taken.data.buffer);
  const raw = await image.raw();
  assert.notEqual(raw.data.buffer, taken.data.buffer);
  assert.ok(Buffer.from(raw.data).equals(Buffer.from(taken.data)));
  // once stitched, others may hold the pixels: nothing is given for a move
  assert.equal(takeMosaicRaw(image), null);
  assert.equal(takeMosaicRaw(imageFromRaw(raw)), null);
});

test('a source moved to the resampling thread leaves the caller, with the result of a copy', async () => {
  const { data } = await (await pixelMosaic(OPAQUE)).raw();
  const job = {
    srcWidth: 2 * TILE,
    srcHeight: 2 * TILE,
    dstWidth: 90,
    dstHeight: 70,
    method: 'bicubic' as const,
    extent: [10, 20, 110, 100] as const,
  };
  const cloned = await resampleInWorker({ ...job, src: new Uint8Array(data) });
  const src = new Uint8Array(data);
  const moved = await resampleInWorker({ ...job, src }, [src.buffer]);
  assert.equal(src.byteLength, 0, 'moved, not cloned');
  assert.ok(cloned !== null && moved !== null && Buffer.from(moved).equals(Buffer.from(cloned)));
});

test("a lazy resampling of a mosaic of pixel tiles encodes as one at once, the mosaic's pixels intact", async () => {
  for (const c of [OPAQUE_SCALE, OPAQUE_REPROJECTION]) {
    const args = [
      { bbox: TILES_BBOX, srs: EPSG3857 },
      { bbox: c.bbox, srs: c.srs, size: sizeOf(c) },
    ] as const;
    const eager = await transformImage(await pixelMosaic(OPAQUE), ...args, {
      resampling: 'bicubic',
      opaque: c.opaque,
    });
    const expected = await imageFromRaw({
      data: Buffer.from((await eager.raw()).data),
      size: sizeOf(c),
    }).encode(PNG8);
    const image = await pixelMosaic(OPAQUE);
    const lazy = await transformImage(image, ...args, {
      resampling: 'bicubic',
      opaque: c.opaque,
      lazy: true,
    });
    assert.ok((await lazy.encode(PNG8)).data.equals(expected.data), c.name);
    // the canvas moved was the task's own: the mosaic still stitches its pixels
    const raw = await image.raw();
    assert.equal(raw.data.length, 2 * TILE * 2 * TILE * 4);
  }
});
