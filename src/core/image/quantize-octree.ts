/**
 * Pillow's FASTOCTREE quantiser (`Image.quantize(colors, FASTOCTREE)`), which MapProxy 1.15 uses
 * for every 8-bit PNG: the same palette and the same index per pixel, so our paletted PNGs decode
 * to MapProxy's pixels. The method, by MapProxy's author: count the pixels in a fine colour cube
 * (4 bits per channel; with alpha 3/4/3 bits plus 3 for alpha) and a coarse one (2 bits each);
 * the palette is every coloured coarse bucket plus the most used fine buckets (their pixels
 * taken out of the coarse ones, which may empty some and so leave room for more fine ones), each
 * entry the mean of its bucket's pixels. A pixel gets its fine bucket's entry if that bucket is
 * in the palette, else its coarse bucket's. Pure and synchronous; runs on the palette workers.
 */
import type { Quantized } from './quantize.js';

type Bits = readonly [r: number, g: number, b: number, a: number];

const FINE: Bits = [4, 4, 4, 0];
const COARSE: Bits = [2, 2, 2, 0];
const FINE_ALPHA: Bits = [3, 4, 3, 3];
const COARSE_ALPHA: Bits = [2, 2, 2, 2];

/** Pixel counts and channel sums (r, g, b, a) per bucket of a cube with `bits` per channel. */
class Cube {
  readonly count: Float64Array;
  /** 4 sums per bucket. */
  readonly sums: Float64Array;

  readonly bits: Bits;

  constructor(bits: Bits) {
    this.bits = bits;
    const size = 1 << (bits[0] + bits[1] + bits[2] + bits[3]);
    this.count = new Float64Array(size);
    this.sums = new Float64Array(size * 4);
  }

  /** The bucket of a colour: its channels' top bits, concatenated r, g, b, a. */
  bucket([r, g, b, a]: Rgba): number {
    const [rb, gb, bb, ab] = this.bits;
    return (
      ((r >> (8 - rb)) << (gb + bb + ab)) |
      ((g >> (8 - gb)) << (bb + ab)) |
      ((b >> (8 - bb)) << ab) |
      (a >> (8 - ab))
    );
  }

  /** The bucket that holds the colours of `finer`'s bucket `index` (a cube with more bits). */
  parentOf(finer: Cube, index: number): number {
    let shift = 0;
    let out = 0;
    let outShift = 0;
    for (let c = 3; c >= 0; c--) {
      const width = finer.bits[c] ?? 0;
      const own = this.bits[c] ?? 0;
      out |= (((index >> shift) & ((1 << width) - 1)) >> (width - own)) << outShift;
      shift += width;
      outShift += own;
    }
    return out;
  }

  /** Adds `count` pixels with channel sums `sums` (4 values from `at`) to `bucket`; negative takes away. */
  add(bucket: number, count: number, sums: ArrayLike<number>, at = 0, sign = 1): void {
    this.count[bucket] = (this.count[bucket] ?? 0) + sign * count;
    for (let c = 0; c < 4; c++)
      this.sums[bucket * 4 + c] = (this.sums[bucket * 4 + c] ?? 0) + sign * (sums[at + c] ?? 0);
  }

  used(): number {
    let n = 0;
    for (const count of this.count) if (count > 0) n++;
    return n;
  }

  entry(index: number): Entry {
    return { count: this.count[index] ?? 0, sums: this.sums.slice(index * 4, index * 4 + 4) };
  }
}

type Rgba = readonly [number, number, number, number];

/** A bucket's totals, copied when the palette candidates are sorted. */
interface Entry {
  readonly count: number;
  readonly sums: Float64Array;
}

/**
 * The mean colour of an entry, as Pillow computes it: each sum divided by the count in single
 * precision and truncated; an empty bucket is (0, 0, 0, 0).
 */
function mean({ count, sums }: Entry): Rgba {
  if (count === 0) return [0, 0, 0, 0];
  const divisor = Math.fround(count);
  const channel = (c: number): number =>
    Math.min(255, Math.max(0, Math.trunc(Math.fround(Math.fround(sums[c] ?? 0) / divisor))));
  return [channel(0), channel(1), channel(2), channel(3)];
}

/**
 * The `limit` fullest buckets of `cube`, most pixels first; equal counts keep their order
 * (glibc's merge sort), empty buckets last. Only the first 256 are ever taken, so only those
 * become entries.
 */
function sortedEntries(cube: Cube, limit = 256): Entry[] {
  const { count } = cube;
  const size = count.length;
  // one number per used bucket that orders by count (descending), then by bucket (ascending):
  // (above - count) * size + bucket, exact in a double for any image; a typed array sorts such
  // keys numerically without a comparator call per pair (a fifth of an 8-bit encode's quantising)
  let above = 1;
  let used = 0;
  for (let i = 0; i < size; i++) {
    const n = count[i] as number;
    if (n > 0) {
      used += 1;
      above += n;
    }
  }
  const keys = new Float64Array(used);
  for (let i = 0, k = 0; i < size; i++) {
    const n = count[i] as number;
    if (n > 0) keys[k++] = (above - n) * size + i;
  }
  keys.sort();
  const entries: Entry[] = [];
  for (let k = 0; k < Math.min(limit, used); k++) entries.push(cube.entry((keys[k] as number) % size));
  for (let i = 0; i < size && entries.length < limit; i++)
    if (!((count[i] as number) > 0)) entries.push(cube.entry(i));
  return entries;
}

/** Takes the pixels of `entries` out of the coarse bucket their mean colour falls in. */
function subtract(coarse: Cube, entries: readonly Entry[]): void {
  for (const entry of entries) {
    if (entry.count !== 0) coarse.add(coarse.bucket(mean(entry)), entry.count, entry.sums, 0, -1);
  }
}

/** Per fine bucket its coarse bucket, by layout: the same two tables serve every image. */
const parentTables = new Map<Bits, Uint16Array>();

function parentTable(fine: Cube, coarse: Cube): Uint16Array {
  let table = parentTables.get(fine.bits);
  if (table === undefined) {
    table = Uint16Array.from({ length: fine.count.length }, (_, i) => coarse.parentOf(fine, i));
    parentTables.set(fine.bits, table);
  }
  return table;
}

/**
 * The two pixel loops of the quantiser, which are most of its time: {@link javascriptLoops} here
 * (the reference), a WebAssembly twin in quantize-octree-wasm.ts with the very same results.
 */
export interface OctreePixelLoops {
  /**
   * Adds every pixel of `rgba` into the fine cube's zeroed tables `count` (per bucket) and `sums`
   * (r, g, b, a per bucket): buckets of 4,4,4 bits (alpha counted as 255) or, `withAlpha`, 3,4,3,3
   * bits, where every fully transparent pixel takes the colour of the first one (Pillow: they
   * share one entry). Remembers each pixel's bucket for {@link indices}.
   */
  count(rgba: Uint8Array, withAlpha: boolean, count: Float64Array, sums: Float64Array): void;
  /** Each pixel counted last by {@link count}: `lookup` of its bucket. */
  indices(lookup: Uint8Array): Uint8Array;
}

/**
 * The pixel loops in JavaScript: the hottest loop of an 8-bit encode, so bucket arithmetic is
 * inlined for the two layouts. Sums of integers are exact in doubles, so the order of adding
 * does not matter.
 */
export function javascriptLoops(): OctreePixelLoops {
  let buckets = new Uint16Array(0);
  return {
    count(rgba, withAlpha, count, sums) {
      const pixels = rgba.length >>> 2;
      buckets = new Uint16Array(pixels);
      let clear = -1;
      for (let i = 0, o = 0; i < pixels; i += 1, o += 4) {
        let r = rgba[o] as number;
        let g = rgba[o + 1] as number;
        let b = rgba[o + 2] as number;
        let bucket: number;
        let a = 255;
        if (withAlpha) {
          a = rgba[o + 3] as number;
          if (a === 0) {
            if (clear < 0) clear = o;
            r = rgba[clear] as number;
            g = rgba[clear + 1] as number;
            b = rgba[clear + 2] as number;
          }
          bucket = ((r >> 5) << 10) | ((g >> 4) << 6) | ((b >> 5) << 3) | (a >> 5);
        } else {
          bucket = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
        }
        buckets[i] = bucket;
        count[bucket] = (count[bucket] as number) + 1;
        const at = bucket * 4;
        sums[at] = (sums[at] as number) + r;
        sums[at + 1] = (sums[at + 1] as number) + g;
        sums[at + 2] = (sums[at + 2] as number) + b;
        sums[at + 3] = (sums[at + 3] as number) + a;
      }
    },
    indices(lookup) {
      const indices = new Uint8Array(buckets.length);
      for (let i = 0; i < buckets.length; i++) indices[i] = lookup[buckets[i] ?? 0] ?? 0;
      return indices;
    },
  };
}

/**
 * `colors` (at most 256) palette entries for `rgba` (4 bytes per pixel) and each pixel's index,
 * as Pillow's FASTOCTREE. With `withAlpha` false the alpha channel is ignored (PIL mode `RGB`)
 * and every entry is opaque. The palette always has `colors` entries; unused ones are black.
 * `loops` runs the pixel loops (default: in JavaScript).
 */
export function quantizeOctree(
  rgba: Uint8Array,
  colors: number,
  withAlpha: boolean,
  loops: OctreePixelLoops = javascriptLoops(),
): Quantized {
  // each step is a function of its own: V8 optimises them one by one as they get hot, where one
  // large function was compiled on-stack in its first call, before its later loops had run, and
  // then deoptimised and compiled again (4 TurboFan compiles of ~40 ms per palette thread)
  const wanted = Math.max(1, Math.min(256, Math.floor(colors)));
  // 1. count every pixel into the fine cube; the coarse cube sums its buckets. Pillow gives every
  //    fully transparent pixel the colour of the first one, so that they all share one entry
  const fine = new Cube(withAlpha ? FINE_ALPHA : FINE);
  loops.count(rgba, withAlpha, fine.count, fine.sums);
  const coarse = new Cube(withAlpha ? COARSE_ALPHA : COARSE);
  const parents = parentTable(fine, coarse);
  sumIntoParents(fine, coarse, parents);
  // 2. the palette entries; 3. each fine bucket's entry
  const { entries, coarseColors } = paletteEntries(fine, coarse, wanted);
  const means = entries.map(mean);
  const lookup = bucketLookup(fine, coarse, parents, means, coarseColors);
  // 4. indices and palette
  return {
    palette: paletteBytes(means, wanted, withAlpha),
    indices: loops.indices(lookup),
    alphaPalette: withAlpha,
  };
}

/** Adds every used fine bucket into its coarse bucket (`parents`). */
function sumIntoParents(fine: Cube, coarse: Cube, parents: Uint16Array): void {
  const { count, sums } = fine;
  for (let i = 0; i < count.length; i++) {
    // an empty bucket adds nothing (zeros): skipped, as most of a map's are
    const n = count[i] as number;
    if (n !== 0) coarse.add(parents[i] as number, n, sums, i * 4);
  }
}

/**
 * Every used coarse bucket, the rest of the palette (`wanted` entries) for the most used fine
 * buckets; each fine bucket taken leaves its coarse bucket, and an emptied one makes room for
 * another. The coarse entries come first (`coarseColors` of them).
 */
function paletteEntries(
  fine: Cube,
  coarse: Cube,
  wanted: number,
): { readonly entries: readonly Entry[]; readonly coarseColors: number } {
  let coarseColors = Math.min(coarse.used(), wanted);
  let fineColors = wanted - coarseColors;
  const fineEntries = sortedEntries(fine);
  subtract(coarse, fineEntries.slice(0, fineColors));
  while (coarseColors > coarse.used()) {
    const taken = fineColors;
    coarseColors = coarse.used();
    fineColors = wanted - coarseColors;
    subtract(coarse, fineEntries.slice(taken, fineColors));
  }
  return {
    entries: [...sortedEntries(coarse).slice(0, coarseColors), ...fineEntries.slice(0, fineColors)],
    coarseColors,
  };
}

/**
 * Per fine bucket its palette index: the fine bucket's own entry, else its coarse bucket's (later
 * entries written first, so of two entries in one bucket the earlier wins).
 */
function bucketLookup(
  fine: Cube,
  coarse: Cube,
  parents: Uint16Array,
  means: readonly Rgba[],
  coarseColors: number,
): Uint8Array {
  const coarseLookup = new Uint8Array(coarse.count.length);
  for (let i = coarseColors - 1; i >= 0; i--) coarseLookup[coarse.bucket(means[i] ?? [0, 0, 0, 0])] = i;
  const lookup = new Uint8Array(fine.count.length);
  for (let i = 0; i < lookup.length; i++) lookup[i] = coarseLookup[parents[i] as number] as number;
  for (let i = means.length - 1; i >= coarseColors; i--) lookup[fine.bucket(means[i] ?? [0, 0, 0, 0])] = i;
  return lookup;
}

/** The palette's RGBA bytes: `wanted` entries, the unused ones black; opaque unless `withAlpha`. */
function paletteBytes(means: readonly Rgba[], wanted: number, withAlpha: boolean): Uint8Array {
  const palette = new Uint8Array(wanted * 4);
  for (let i = 0; i < means.length; i++) {
    const [r, g, b, a] = means[i] as Rgba;
    palette[i * 4] = r;
    palette[i * 4 + 1] = g;
    palette[i * 4 + 2] = b;
    palette[i * 4 + 3] = withAlpha ? a : 255;
  }
  return palette;
}
