/**
 * AssemblyScript source of the pixel loops of Pillow's FASTOCTREE (src/core/image/quantize-octree.ts
 * `countPixels` and the final index lookup): the same buckets and the same exact sums. Build: npm run build:wasm.
 */

/** Adds `n` pixels of one colour (`r`-`a`) in `bucket` to the f64 tables. */
@inline
function flush(bucket: usize, run: u32, r: u32, g: u32, b: u32, a: u32, count: usize, sums: usize): void {
  const n = <f64>run;
  const c = count + (bucket << 3);
  store<f64>(c, load<f64>(c) + n);
  const s = sums + (bucket << 5);
  store<f64>(s, load<f64>(s) + n * <f64>r);
  store<f64>(s, load<f64>(s, 8) + n * <f64>g, 8);
  store<f64>(s, load<f64>(s, 16) + n * <f64>b, 16);
  store<f64>(s, load<f64>(s, 24) + n * <f64>a, 24);
}

/**
 * Counts `pixels` RGBA pixels at `rgba` into the fine cube: `count` (f64 per bucket) and `sums`
 * (4 f64 per bucket, r g b a), and writes each pixel's bucket (u16) to `buckets`. Buckets are
 * 4,4,4 bits of r,g,b (alpha counted as 255) or, `withAlpha`, 3,4,3,3 bits of r,g,b,a, where every
 * fully transparent pixel takes the colour of the first one (Pillow): `clear`, that pixel as a
 * little-endian word or -1 while none was seen, is returned for the next chunk of the image. A run
 * of one colour is added once, as count times colour (maps are mostly runs); the sums are of
 * integers and exact (below 2^53), so neither the order nor the products change them.
 */
export function octreeCount(
  rgba: usize,
  pixels: i32,
  withAlpha: bool,
  count: usize,
  sums: usize,
  buckets: usize,
  clear: i32,
): i32 {
  const total = <usize>pixels;
  if (total === 0) return clear;
  let word = ~load<u32>(rgba); // differs from the first pixel
  let n: u32 = 0;
  let bucket: usize = 0;
  let r: u32 = 0;
  let g: u32 = 0;
  let b: u32 = 0;
  let a: u32 = 255;
  for (let i: usize = 0; i < total; i++) {
    const p = load<u32>(rgba + (i << 2));
    if (p !== word) {
      if (n > 0) flush(bucket, n, r, g, b, a, count, sums);
      n = 0;
      word = p;
      r = p & 255;
      g = (p >> 8) & 255;
      b = (p >> 16) & 255;
      if (withAlpha) {
        a = p >> 24;
        if (a === 0) {
          if (clear < 0) clear = <i32>p;
          r = <u32>clear & 255;
          g = (<u32>clear >> 8) & 255;
          b = (<u32>clear >> 16) & 255;
        }
        bucket = <usize>(((r >> 5) << 10) | ((g >> 4) << 6) | ((b >> 5) << 3) | (a >> 5));
      } else {
        bucket = <usize>(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
      }
    }
    store<u16>(buckets + (i << 1), <u16>bucket);
    n++;
  }
  flush(bucket, n, r, g, b, a, count, sums);
  return clear;
}

/** Each of `pixels` buckets (u16 at `buckets`) through `lookup` (u8 per bucket) into `indices`. */
export function octreeIndices(buckets: usize, pixels: i32, lookup: usize, indices: usize): void {
  const total = <usize>pixels;
  for (let i: usize = 0; i < total; i++) {
    store<u8>(indices + i, load<u8>(lookup + <usize>load<u16>(buckets + (i << 1))));
  }
}
