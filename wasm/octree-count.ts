/**
 * AssemblyScript source of the pixel loops of Pillow's FASTOCTREE (src/core/image/quantize-octree.ts
 * `countPixels` and the final index lookup): the same buckets and the same exact sums. Build: npm run build:wasm.
 */

/**
 * Counts `pixels` RGBA pixels at `rgba` into the fine cube: `count` (f64 per bucket) and `sums`
 * (4 f64 per bucket, r g b a), and writes each pixel's bucket (u16) to `buckets`. Buckets are
 * 4,4,4 bits of r,g,b (alpha counted as 255) or, `withAlpha`, 3,4,3,3 bits of r,g,b,a, where every
 * fully transparent pixel takes the colour of the first one (Pillow): `clear`, that pixel as a
 * little-endian word or -1 while none was seen, is returned for the next chunk of the image. A run
 * of one colour is added once, as count times colour, to integer tables first (`ints`: 8192 x 4
 * u32 sums, then 8192 u32 counts; zero on entry and again on return), which go into the f64
 * tables once a call: a call's sums stay below 2^32 (up to 2^24 pixels of 255), and all sums are
 * of integers and exact (below 2^53), so neither order nor grouping changes them. Resampled maps
 * run 2-3 pixels a colour: an integer vector add a run instead of five f64 read-modify-writes.
 */
export function octreeCount(
  rgba: usize,
  pixels: i32,
  withAlpha: bool,
  count: usize,
  sums: usize,
  buckets: usize,
  clear: i32,
  ints: usize,
): i32 {
  const total = <usize>pixels;
  if (total === 0) return clear;
  const bucketCount: usize = withAlpha ? 1 << 13 : 1 << 12;
  // a loop for each layout (the flag a constant in it), pointers stepped a pixel and a run's
  // length from its first pixel's address: V8 kept the flag, the count and the last word on the
  // stack and reloaded them in every pixel (tried: an inner loop over each run's pixels, count
  // stage x0.95/x0.97 against the old loop where this one gave x0.89/x0.93)
  clear = withAlpha
    ? countRuns(rgba, total, true, buckets, clear, ints)
    : countRuns(rgba, total, false, buckets, clear, ints);
  // the integer tables into the f64 ones, zeroed for the next call
  const counts = ints + (1 << 17);
  for (let k: usize = 0; k < bucketCount; k++) {
    const c = load<u32>(counts + (k << 2));
    if (c === 0) continue;
    store<u32>(counts + (k << 2), 0);
    const at = count + (k << 3);
    store<f64>(at, load<f64>(at) + <f64>c);
    const v = ints + (k << 4);
    const w = v128.load(v);
    v128.store(v, i32x4.splat(0));
    const s = sums + (k << 5);
    v128.store(s, f64x2.add(v128.load(s), f64x2.convert_low_i32x4_u(w)));
    const high = i32x4.shuffle(w, w, 2, 3, 0, 1);
    v128.store(s, f64x2.add(v128.load(s, 16), f64x2.convert_low_i32x4_u(high)), 16);
  }
  return clear;
}

/** {@link octreeCount}'s pixel loop into the integer tables, for `withAlpha` a constant. */
@inline
function countRuns(rgba: usize, total: usize, withAlpha: bool, buckets: usize, clear: i32, ints: usize): i32 {
  const counts = ints + (1 << 17); // after the sums of the larger cube's 8192 buckets
  const end = rgba + (total << 2);
  let word = ~load<u32>(rgba); // differs from the first pixel
  let start = rgba; // the run's first pixel
  let bucket: usize = 0;
  let colour = i32x4.splat(0);
  for (let at = rgba, to = buckets; at < end; at += 4, to += 2) {
    const p = load<u32>(at);
    if (p !== word) {
      if (at !== start) flush(ints, counts, bucket, <u32>((at - start) >> 2), colour);
      start = at;
      word = p;
      let q = p | 0xff00_0000; // the colour counted: alpha 255, or as below
      if (withAlpha) {
        q = p;
        if (p >> 24 === 0) {
          if (clear < 0) clear = <i32>p;
          q = <u32>clear & 0x00ff_ffff;
        }
        const r = (q & 255) >> 5;
        const g = ((q >> 8) & 255) >> 4;
        const b = ((q >> 16) & 255) >> 5;
        bucket = <usize>((r << 10) | (g << 6) | (b << 3) | (q >> 29));
      } else {
        bucket = <usize>((((q & 255) >> 4) << 8) | ((((q >> 8) & 255) >> 4) << 4) | (((q >> 16) & 255) >> 4));
      }
      colour = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(i32x4.splat(<i32>q)));
    }
    store<u16>(to, <u16>bucket);
  }
  flush(ints, counts, bucket, <u32>((end - start) >> 2), colour);
  return clear;
}

/** Adds `n` pixels of `colour` (r, g, b, a as i32 lanes) in `bucket` to the integer tables. */
@inline
function flush(ints: usize, counts: usize, bucket: usize, n: u32, colour: v128): void {
  const c = counts + (bucket << 2);
  store<u32>(c, load<u32>(c) + n);
  const s = ints + (bucket << 4);
  v128.store(s, i32x4.add(v128.load(s), i32x4.mul(colour, i32x4.splat(<i32>n))));
}

/** Each of `pixels` buckets (u16 at `buckets`) through `lookup` (u8 per bucket) into `indices`. */
export function octreeIndices(buckets: usize, pixels: i32, lookup: usize, indices: usize): void {
  const total = <usize>pixels;
  for (let i: usize = 0; i < total; i++) {
    store<u8>(indices + i, load<u8>(lookup + <usize>load<u16>(buckets + (i << 1))));
  }
}
