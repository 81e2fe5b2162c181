/**
 * AssemblyScript source of the bicubic resampling kernel (src/core/image/resample-wasm.ts loads
 * it): Pillow's bicubic (Geometry.c) with the four RGBA channels as two f64x2 vectors, in the very
 * double arithmetic of src/core/image/resample.ts, so the pixels are the same. Build: npm run build:wasm.
 * Why not f32x4 (all four channels a vector) with a rigorous error bound and a fallback to double
 * near a truncation step: tried (issue 13): same bytes, 4.3% of its pixels fell back, but V8 11
 * (Node 20) ran it no faster on real reprojected maps: halving the FP ops did not shorten a pixel.
 */

// Memory is laid out and grown by the caller (runtime stub, nothing allocated here). Pointers are
// byte offsets; source and output are RGBA rows, 4 bytes a pixel.

const TWO: v128 = f64x2.splat(2.0);

/** Pillow's cubic (a = -1) through four samples at fraction `d`, term by term as resample.ts. */
@inline
function cubic(v1: v128, v2: v128, v3: v128, v4: v128, d: v128): v128 {
  const p2 = f64x2.add(f64x2.neg(v1), v3);
  const p3 = f64x2.sub(f64x2.add(f64x2.mul(TWO, f64x2.sub(v1, v2)), v3), v4);
  const p4 = f64x2.add(f64x2.sub(f64x2.add(f64x2.neg(v1), v2), v3), v4);
  return horner(v2, p2, p3, p4, d);
}

/** The cubic's polynomial in `d` from its terms: `p1 + d * (p2 + d * (p3 + d * p4))`. */
@inline
function horner(p1: v128, p2: v128, p3: v128, p4: v128, d: v128): v128 {
  return f64x2.add(p1, f64x2.mul(d, f64x2.add(p2, f64x2.mul(d, f64x2.add(p3, f64x2.mul(d, p4))))));
}

/** The pixel at `ptr` as i32 lanes R, G, B, A. */
@inline
function pixel(ptr: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(ptr)));
}

/** Lanes 0, 1 of signed i32 lanes as doubles. */
@inline
function low(p: v128): v128 {
  return f64x2.convert_low_i32x4_s(p);
}

/** Lanes 2, 3 of signed i32 lanes as doubles. */
@inline
function high(p: v128): v128 {
  return f64x2.convert_low_i32x4_s(i32x4.shuffle(p, p, 2, 3, 0, 1));
}

/**
 * Stores R, G (`lo`) and B, A (`hi`) as bytes at `ptr`: truncation with saturation gives what
 * `v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v)` gives (NaN included: 0).
 */
@inline
function storePixel(ptr: usize, lo: v128, hi: v128): void {
  const ints = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(lo), i32x4.trunc_sat_f64x2_s_zero(hi), 0, 1, 4, 5);
  const shorts = i16x8.narrow_i32x4_u(ints, ints);
  v128.store32_lane(ptr, i8x16.narrow_i16x8_u(shorts, shorts), 0);
}

@inline
function clip(v: i32, size: i32): i32 {
  return v < 0 ? 0 : v < size ? v : size - 1;
}

@inline
function inRange(v: i32, size: i32): bool {
  return v >= 0 && v < size;
}

/** The last {@link filterRow}: R, G and B, A of a row's horizontal cubic (kept when a row is missing). */
let rowLo: v128 = f64x2.splat(0);
let rowHi: v128 = f64x2.splat(0);

/**
 * The horizontal cubic of the pixels at `base` + `c0`-`c3` into {@link rowLo}, {@link rowHi}.
 * The pixels are whole numbers, so {@link cubic}'s terms p2-p4 (sums and differences of them) are
 * whole numbers that doubles hold exactly: computed here on the four channels at once in 32-bit
 * integers, they are the very doubles the f64 arithmetic gives, and only the polynomial in `d`
 * runs in f64 ({@link horner}, as in {@link cubic}).
 */
@inline
function filterRow(base: usize, c0: usize, c1: usize, c2: usize, c3: usize, dx: v128): void {
  let v1: v128, v2: v128, v3: v128, v4: v128;
  if (c3 === c0 + 12) {
    // four neighbouring pixels (no tap clipped at an edge): one load
    const row = v128.load(base + c0);
    if (!v128.any_true(v128.xor(row, i32x4.shuffle(row, row, 0, 0, 0, 0)))) {
      // one colour (a flat area of a map): p2-p4 are 0, so the polynomial is exactly v2
      const v = pixel(base + c0);
      rowLo = low(v);
      rowHi = high(v);
      return;
    }
    const left = i16x8.extend_low_i8x16_u(row);
    const right = i16x8.extend_high_i8x16_u(row);
    v1 = i32x4.extend_low_i16x8_u(left);
    v2 = i32x4.extend_high_i16x8_u(left);
    v3 = i32x4.extend_low_i16x8_u(right);
    v4 = i32x4.extend_high_i16x8_u(right);
  } else {
    v1 = pixel(base + c0);
    v2 = pixel(base + c1);
    v3 = pixel(base + c2);
    v4 = pixel(base + c3);
  }
  const p2 = i32x4.sub(v3, v1);
  const p3 = i32x4.sub(i32x4.add(i32x4.shl(i32x4.sub(v1, v2), 1), v3), v4);
  const p4 = i32x4.add(i32x4.sub(i32x4.sub(v2, v1), v3), v4);
  rowLo = horner(low(v2), low(p2), low(p3), low(p4), dx);
  rowHi = horner(high(v2), high(p2), high(p3), high(p4), dx);
}

/**
 * R, G (`rowLoOf`) and B, A (`rowHiOf`) of the horizontal cubic of the 4 neighbouring pixels in
 * `row`: {@link filterRow}'s arithmetic as values instead of globals, so that the four rows of
 * an output pixel stay in registers (each pair shares its loads and integer terms once compiled).
 */
@inline
function rowLoOf(row: v128, dx: v128): v128 {
  const left = i16x8.extend_low_i8x16_u(row);
  const right = i16x8.extend_high_i8x16_u(row);
  const v1 = i32x4.extend_low_i16x8_u(left);
  const v2 = i32x4.extend_high_i16x8_u(left);
  const v3 = i32x4.extend_low_i16x8_u(right);
  const v4 = i32x4.extend_high_i16x8_u(right);
  const p2 = i32x4.sub(v3, v1);
  const p3 = i32x4.sub(i32x4.add(i32x4.shl(i32x4.sub(v1, v2), 1), v3), v4);
  const p4 = i32x4.add(i32x4.sub(i32x4.sub(v2, v1), v3), v4);
  return horner(low(v2), low(p2), low(p3), low(p4), dx);
}

/** B, A of the horizontal cubic of `row`, as {@link rowLoOf}. */
@inline
function rowHiOf(row: v128, dx: v128): v128 {
  const left = i16x8.extend_low_i8x16_u(row);
  const right = i16x8.extend_high_i8x16_u(row);
  const v1 = i32x4.extend_low_i16x8_u(left);
  const v2 = i32x4.extend_high_i16x8_u(left);
  const v3 = i32x4.extend_low_i16x8_u(right);
  const v4 = i32x4.extend_high_i16x8_u(right);
  const p2 = i32x4.sub(v3, v1);
  const p3 = i32x4.sub(i32x4.add(i32x4.shl(i32x4.sub(v1, v2), 1), v3), v4);
  const p4 = i32x4.add(i32x4.sub(i32x4.sub(v2, v1), v3), v4);
  return horner(high(v2), high(p2), high(p3), high(p4), dx);
}

/**
 * A pure scale (resample.ts `scaleBicubic`): `xs`/`ys` hold the source point (f64) of each of
 * `cols` output columns and `rows` output rows; the result goes to `out` at column `x0`, row `y0`
 * of rows `outWidth` pixels wide, pixels without a source `fill` (a little-endian RGBA word: 0 is
 * transparent). Each source row is
 * filtered horizontally once into a ring of 8 rows. `scratch`: 16-byte aligned,
 * `64 + cols * (8 * 32 + 32)` bytes (resample-wasm.ts `scaleScratchBytes`).
 */
export function scaleBicubic(
  src: usize,
  width: i32,
  height: i32,
  xs: usize,
  cols: i32,
  ys: usize,
  rows: i32,
  out: usize,
  x0: i32,
  y0: i32,
  outWidth: i32,
  scratch: usize,
  fill: u32,
): void {
  const n = <usize>cols;
  const stride = n << 5;
  const ringRow = scratch; // i32 x 8 (padded to 64 bytes: filtered keeps two addresses at 32, 36)
  const ring = scratch + 64; // 8 rows of f64 x 4 per column
  // per column 32 bytes: the four taps (i32), the fraction (f64 at 16), valid (u8 at 24), so
  // that the row filter's loop keeps one pointer for them (V8 kept three and spilled the loop's
  // other values to the stack)
  const columns = ring + (stride << 3);
  // 1. columns: validity, the four clipped taps (byte offsets in a row) and the fraction
  for (let k: usize = 0; k < n; k++) {
    const sx = load<f64>(xs + (k << 3));
    const ok = sx >= 0 && sx < <f64>width;
    const c = columns + (k << 5);
    store<u8>(c, ok ? 1 : 0, 24);
    if (!ok) {
      v128.store(c, i32x4.splat(0));
      store<f64>(c, 0, 16);
      continue;
    }
    const fx = sx - 0.5;
    const fl = Math.floor(fx);
    const x = <i32>fl - 1;
    store<f64>(c, fx - fl, 16);
    store<i32>(c, clip(x, width) << 2);
    store<i32>(c, clip(x + 1, width) << 2, 4);
    store<i32>(c, clip(x + 2, width) << 2, 8);
    store<i32>(c, clip(x + 3, width) << 2, 12);
  }
  for (let s: usize = 0; s < 8; s++) store<i32>(ringRow + (s << 2), -1);
  // 3. output rows: the vertical cubic over four filtered rows (Pillow: the first row clipped, a
  // missing later row repeats the previous one)
  for (let y = 0; y < rows; y++) {
    const sy = load<f64>(ys + ((<usize>y) << 3));
    const rowStart = out + ((<usize>(y0 + y) * <usize>outWidth + <usize>x0) << 2);
    if (!(sy >= 0 && sy < <f64>height)) {
      for (let k: usize = 0; k < n; k++) store<u32>(rowStart + (k << 2), fill);
      continue;
    }
    const fy = sy - 0.5;
    const fl = Math.floor(fy);
    const sourceY = <i32>fl - 1;
    const dy = f64x2.splat(fy - fl);
    const h1 = filtered(src, width, clip(sourceY, height), n, columns, ring, ringRow, stride);
    const h2 = inRange(sourceY + 1, height)
      ? filtered(src, width, sourceY + 1, n, columns, ring, ringRow, stride)
      : h1;
    const h3 = inRange(sourceY + 2, height)
      ? filtered(src, width, sourceY + 2, n, columns, ring, ringRow, stride)
      : h2;
    const h4 = inRange(sourceY + 3, height)
      ? filtered(src, width, sourceY + 3, n, columns, ring, ringRow, stride)
      : h3;
    for (let k: usize = 0; k < n; k++) {
      const at = rowStart + (k << 2);
      if (load<u8>(columns + (k << 5), 24) === 0) {
        store<u32>(at, fill);
        continue;
      }
      const o = k << 5;
      const lo1 = v128.load(h1 + o);
      const hi1 = v128.load(h1 + o, 16);
      const lo2 = v128.load(h2 + o);
      const hi2 = v128.load(h2 + o, 16);
      const lo3 = v128.load(h3 + o);
      const hi3 = v128.load(h3 + o, 16);
      const lo4 = v128.load(h4 + o);
      const hi4 = v128.load(h4 + o, 16);
      if (isFlat(lo1, hi1, lo2, hi2, lo3, hi3, lo4, hi4)) {
        // four equal rows: the cubic's terms are 0, so it is exactly the row's value
        storePixel(at, lo1, hi1);
        continue;
      }
      storePixel(at, cubic(lo1, lo2, lo3, lo4, dy), cubic(hi1, hi2, hi3, hi4, dy));
    }
  }
}

/**
 * True when the four filtered rows (R, G in `lo*`, B, A in `hi*`) hold the very same doubles, bit
 * for bit (a +0 beside a -0 counts as different and takes the arithmetic, which is exact anyway).
 */
@inline
function isFlat(lo1: v128, hi1: v128, lo2: v128, hi2: v128, lo3: v128, hi3: v128, lo4: v128, hi4: v128): bool {
  const lo = v128.or(v128.or(v128.xor(lo1, lo2), v128.xor(lo1, lo3)), v128.xor(lo1, lo4));
  const hi = v128.or(v128.or(v128.xor(hi1, hi2), v128.xor(hi1, hi3)), v128.xor(hi1, hi4));
  return !v128.any_true(v128.or(lo, hi));
}

/** 2. Source row `row` filtered horizontally for every valid column, from the ring when there. */
function filtered(
  src: usize,
  width: i32,
  row: i32,
  n: usize,
  columns: usize,
  ring: usize,
  ringRow: usize,
  stride: usize,
): usize {
  const slot = <usize>(row & 7);
  const h = ring + slot * stride;
  if (load<i32>(ringRow + (slot << 2)) === row) return h;
  store<i32>(ringRow + (slot << 2), row);
  const rowBytes = <usize>width << 2;
  const base = src + <usize>row * rowBytes;
  // the row above, when it is in the ring: where its four taps hold the same pixels, this row
  // filters to the same doubles (a map's areas and edges run on over many rows)
  const aboveSlot = <usize>((row - 1) & 7);
  const hasAbove = row > 0 && load<i32>(ringRow + (aboveSlot << 2)) === row - 1;
  const above = ring + aboveSlot * stride;
  // pointers stepped a column at a time (fewer values live in the loop: V8 spilled them), and the
  // row's and the row above's addresses in the pad after the ring's row numbers: V8 computed them
  // (and the filtered row above's offset) again in every column, from values on the stack
  store<u32>(ringRow, <u32>base, 32);
  store<u32>(ringRow, <u32>(base - rowBytes), 36);
  const end = columns + (n << 5);
  for (let t = columns, at = h, from = above; t < end; t += 32, at += 32, from += 32) {
    if (load<u8>(t, 24) === 0) continue;
    const d = f64x2.splat(load<f64>(t, 16));
    const c0 = <usize>load<i32>(t);
    const c3 = <usize>load<i32>(t, 12);
    if (c3 === c0 + 12) {
      // four neighbouring taps (most columns): values straight into the ring, no globals
      const r = v128.load(<usize>load<u32>(ringRow, 32) + c0);
      if (hasAbove && !v128.any_true(v128.xor(r, v128.load(<usize>load<u32>(ringRow, 36) + c0)))) {
        v128.store(at, v128.load(from));
        v128.store(at, v128.load(from, 16), 16);
        continue;
      }
      if (!v128.any_true(v128.xor(r, i32x4.shuffle(r, r, 0, 0, 0, 0)))) {
        // one colour: exactly that pixel, as in filterRow
        const v = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(r));
        v128.store(at, low(v));
        v128.store(at, high(v), 16);
        continue;
      }
      v128.store(at, rowLoOf(r, d));
      v128.store(at, rowHiOf(r, d), 16);
      continue;
    }
    filterRow(<usize>load<u32>(ringRow, 32), c0, <usize>load<i32>(t, 4), <usize>load<i32>(t, 8), c3, d);
    v128.store(at, rowLo);
    v128.store(at, rowHi, 16);
  }
  return h;
}

/**
 * One mesh cell, any shape (resample.ts `transformCellBicubic`): output pixels of columns
 * `x0 <= x < x1`, rows `y0 <= y < y1` (`out` rows `dstWidth` pixels wide) take the source point of
 * the cell's bilinear map `a0`-`a7` at the pixel centre (relative to the cell's corner `bx0`,
 * `by0`); pixels whose point is outside the source are `fill` (as in {@link scaleBicubic}).
 * `scratch`: 16-byte aligned, 32 bytes a column and 192 more.
 */
export function transformCell(
  src: usize,
  width: i32,
  height: i32,
  out: usize,
  dstWidth: i32,
  bx0: f64,
  by0: f64,
  x0: i32,
  x1: f64,
  y0: i32,
  y1: f64,
  a0: f64,
  a1: f64,
  a2: f64,
  a3: f64,
  a4: f64,
  a5: f64,
  a6: f64,
  a7: f64,
  fill: u32,
  scratch: usize,
): void {
  const rowBytes = <usize>width << 2;
  // per column, the terms in x of the source point's sums (x, y lanes): `a0 + a1 * xin`, then
  // `a3 * xin`. Computed once a column in the per-pixel expression's own order, so every pixel's
  // point is the very double it was (`a0 + a1 * xin + a2 * yin + a3 * xin * yin`), at 2 of its
  // 6 operations (as two lanes at once)
  let cols: usize = 0;
  for (let x = x0; <f64>x < x1; x++, cols++) {
    const xin = <f64>x - bx0 + 0.5;
    const at = scratch + (cols << 5);
    v128.store(at, f64x2.replace_lane(f64x2.splat(a0 + a1 * xin), 1, a4 + a5 * xin));
    v128.store(at, f64x2.replace_lane(f64x2.splat(a3 * xin), 1, a7 * xin), 16);
  }
  // the pixel loop's invariants, in memory after the columns' terms: V8 (TurboFan, Node 20) does
  // not hoist them, it computed them again in every pixel (the conversions of width and height,
  // the constants, the row's terms), and a load is one instruction, or none (an operand).
  // (1.5 * 2^52 - 1: see the taps below; at 32 and 96 the bounds of a point whose 4x4 taps are
  // all inside the source, see there)
  const inv = scratch + (cols << 5);
  v128.store(inv, f64x2.replace_lane(f64x2.splat(<f64>width), 1, <f64>height));
  v128.store(inv, f64x2.splat(0.5), 16);
  v128.store(inv, f64x2.splat(1.5), 32);
  v128.store(inv, f64x2.splat(6755399441055743.0), 80);
  v128.store(inv, f64x2.replace_lane(f64x2.splat(<f64>width - 1.5), 1, <f64>height - 1.5), 96);
  // at 128 the bilinear map for touchSource (sx: a0-a3, sy: a4-a7)
  const map = inv + 128;
  v128.store(map, f64x2.replace_lane(f64x2.splat(a0), 1, a1));
  v128.store(map, f64x2.replace_lane(f64x2.splat(a2), 1, a3), 16);
  v128.store(map, f64x2.replace_lane(f64x2.splat(a4), 1, a5), 32);
  v128.store(map, f64x2.replace_lane(f64x2.splat(a6), 1, a7), 48);
  const zero = f64x2.splat(0);
  let band = y0;
  for (let y = y0; <f64>y < y1; y++) {
    if (y === band && cols > 0) {
      band = y + TOUCH_BAND;
      const last = Math.min(<f64>band, y1) - 1;
      touchSource(src, width, height, <f64>x0 - bx0 + 0.5, x1 - 1 - bx0 + 0.5, <f64>y - by0 + 0.5, last - by0 + 0.5, map);
    }
    const yin = <f64>y - by0 + 0.5;
    v128.store(inv, f64x2.replace_lane(f64x2.splat(a2 * yin), 1, a6 * yin), 48);
    v128.store(inv, f64x2.splat(yin), 64);
    let at = out + ((<usize>y * <usize>dstWidth + <usize>x0) << 2);
    // the column's terms stepped as a pointer (they end where the invariants start)
    for (let terms = scratch; terms < inv; terms += 32, at += 4) {
      // sx, sy
      const s = f64x2.add(f64x2.add(v128.load(terms), v128.load(inv, 48)), f64x2.mul(v128.load(terms, 16), v128.load(inv, 64)));
      const f = f64x2.sub(s, v128.load(inv, 16));
      const fl = f64x2.floor(f);
      const fraction = f64x2.sub(f, fl);
      // fl - 1 as integers: fl is whole and in [-1, size) where used, so fl + (1.5 * 2^52 - 1) is
      // exact and holds fl - 1 in the low 32 bits of its mantissa (in V8 fewer instructions than
      // trunc_sat)
      const taps = f64x2.add(fl, v128.load(inv, 80));
      const tx = i32x4.extract_lane(taps, 0);
      const ty = i32x4.extract_lane(taps, 2);
      const dx = f64x2.splat(f64x2.extract_lane(fraction, 0));
      const dy = f64x2.splat(f64x2.extract_lane(fraction, 1));
      // the 4x4 taps inside the source, tested on the point: tx = floor(sx - 0.5) - 1 is in
      // [0, width - 3) exactly when 1.5 <= sx < width - 1.5 (sx - 0.5 is exact there, and
      // rounding keeps order below), the same for ty (NaN fails); this test comes first, and the
      // point's range test only for the others (it was two integer compares more a pixel)
      if (i64x2.bitmask(v128.and(f64x2.ge(s, v128.load(inv, 32)), f64x2.lt(s, v128.load(inv, 96)))) === 3) {
        // the 4x4 taps inside the source (most pixels): nothing clipped, no row missing
        const b0 = src + <usize>ty * rowBytes + (<usize>tx << 2);
        const r0 = v128.load(b0);
        const r1 = v128.load(b0 + rowBytes);
        const r2 = v128.load(b0 + rowBytes * 2);
        const r3 = v128.load(b0 + rowBytes * 3);
        // a row equal to the one above filters to the same doubles: each is filtered once (on the
        // bench's EPSG:25832 maps 40% of the pixels are not one colour: half of those have four
        // equal rows, the others two different ones). Four equal rows (an edge running down the taps): the
        // vertical cubic's terms are 0, so the pixel is exactly the row's filtered value, which
        // for a row of one colour (16 pixels of one colour: a flat area, most of many maps) is
        // that colour. Bits compared: V8's any_true is a few instructions, its all_true many more
        const d01 = v128.xor(r0, r1);
        const d12 = v128.xor(r1, r2);
        const d23 = v128.xor(r2, r3);
        if (!v128.any_true(v128.or(v128.or(d01, d12), d23))) {
          if (!v128.any_true(v128.xor(r0, i32x4.shuffle(r0, r0, 0, 0, 0, 0)))) {
            store<u32>(at, i32x4.extract_lane(r0, 0));
          } else {
            storePixel(at, rowLoOf(r0, dx), rowHiOf(r0, dx));
          }
          continue;
        }
        // (tried: a row of one colour taken as it is, unfiltered: kernel stage x0.93-1.13, not kept;
        // one test of the 16 taps against the first pixel before the tests above: x1.04-1.22)
        const lo0 = rowLoOf(r0, dx);
        const hi0 = rowHiOf(r0, dx);
        const same01 = !v128.any_true(d01);
        const same12 = !v128.any_true(d12);
        const same23 = !v128.any_true(d23);
        const lo1 = same01 ? lo0 : rowLoOf(r1, dx);
        const hi1 = same01 ? hi0 : rowHiOf(r1, dx);
        const lo2 = same12 ? lo1 : rowLoOf(r2, dx);
        const hi2 = same12 ? hi1 : rowHiOf(r2, dx);
        const lo3 = same23 ? lo2 : rowLoOf(r3, dx);
        const hi3 = same23 ? hi2 : rowHiOf(r3, dx);
        storePixel(at, cubic(lo0, lo1, lo2, lo3, dy), cubic(hi0, hi1, hi2, hi3, dy));
        continue;
      }
      // inside the source (NaN is not): both lanes' 0 <= s < size
      if (i64x2.bitmask(v128.and(f64x2.ge(s, zero), f64x2.lt(s, v128.load(inv)))) !== 3) {
        store<u32>(at, fill);
        continue;
      }
      edgePixel(src, width, height, at, tx, ty, dx, dy);
    }
  }
}

/** Output rows a {@link touchSource} covers. */
const TOUCH_BAND = 16;

/**
 * Reads one word of every cache line of the source pixels that output rows `yin0`-`yin1`,
 * columns `xin0`-`xin1` (pixel centres relative to the cell's corner) take taps from, line after
 * line and row after row, before {@link transformCell} filters those rows: its 4x4 taps move
 * along four source rows at once (each its own 4 kB page in a 1024-pixel canvas), and waiting for
 * those lines to come in from L3 was ~45% of its time on the bench's EPSG:25832 maps (perf: the
 * samples on the instruction after the taps' loads); a straight read of them runs as fast as the
 * memory streams, and the pixel loop then finds them in L1/L2. A bilinear map's extremes over a
 * box are at its corners, `map` holds it (a0-a7 as f64); the xor of the words goes to the 4 bytes
 * 16 before `map` (so the reads are kept).
 */
function touchSource(
  src: usize,
  width: i32,
  height: i32,
  xin0: f64,
  xin1: f64,
  yin0: f64,
  yin1: f64,
  map: usize,
): void {
  const sx00 = mapped(map, xin0, yin0);
  const sx10 = mapped(map, xin1, yin0);
  const sx01 = mapped(map, xin0, yin1);
  const sx11 = mapped(map, xin1, yin1);
  const sy00 = mapped(map + 32, xin0, yin0);
  const sy10 = mapped(map + 32, xin1, yin0);
  const sy01 = mapped(map + 32, xin0, yin1);
  const sy11 = mapped(map + 32, xin1, yin1);
  const minX = Math.min(Math.min(sx00, sx10), Math.min(sx01, sx11)) - 2.5;
  const maxX = Math.max(Math.max(sx00, sx10), Math.max(sx01, sx11)) + 2.5;
  const minY = Math.min(Math.min(sy00, sy10), Math.min(sy01, sy11)) - 2.5;
  const maxY = Math.max(Math.max(sy00, sy10), Math.max(sy01, sy11)) + 2.5;
  // NaN (an unprojectable corner) and boxes off the source touch nothing
  if (!(minX < <f64>width && maxX >= 0 && minY < <f64>height && maxY >= 0)) return;
  const c0 = <usize>Math.max(0, minX) << 2;
  const c1 = <usize>Math.min(<f64>width - 1, maxX) << 2;
  const r1 = <i32>Math.min(<f64>height - 1, maxY);
  const rowBytes = <usize>width << 2;
  let acc: u32 = 0;
  for (let r = <i32>Math.max(0, minY); r <= r1; r++) {
    const row = src + <usize>r * rowBytes;
    for (let p = (row + c0) & ~63; p <= row + c1; p += 64) acc ^= load<u32>(p);
  }
  store<u32>(map - 16, acc);
}

/** `c0 + c1 * xin + c2 * yin + c3 * xin * yin` of the four f64 at `c`. */
@inline
function mapped(c: usize, xin: f64, yin: f64): f64 {
  return load<f64>(c) + load<f64>(c, 8) * xin + load<f64>(c, 16) * yin + load<f64>(c, 24) * xin * yin;
}

/**
 * A {@link transformCell} pixel whose 4x4 taps (from `tx`, `ty`) reach over the source's edge:
 * the taps clipped to the source; the first row clipped, a missing later row repeats the previous
 * row (its value is that row's again). Not inlined: the pixel loop keeps its registers.
 */
function edgePixel(src: usize, width: i32, height: i32, at: usize, tx: i32, ty: i32, dx: v128, dy: v128): void {
  const rowBytes = <usize>width << 2;
  const c0 = <usize>clip(tx, width) << 2;
  const c1 = <usize>clip(tx + 1, width) << 2;
  const c2 = <usize>clip(tx + 2, width) << 2;
  const c3 = <usize>clip(tx + 3, width) << 2;
  const b0 = src + <usize>clip(ty, height) * rowBytes;
  const b1 = inRange(ty + 1, height) ? src + <usize>(ty + 1) * rowBytes : b0;
  const b2 = inRange(ty + 2, height) ? src + <usize>(ty + 2) * rowBytes : b1;
  const b3 = inRange(ty + 3, height) ? src + <usize>(ty + 3) * rowBytes : b2;
  // the horizontal cubic of each of the 4 rows (few pixels: no shortcuts), then the vertical one
  filterRow(b0, c0, c1, c2, c3, dx);
  const lo1 = rowLo;
  const hi1 = rowHi;
  filterRow(b1, c0, c1, c2, c3, dx);
  const lo2 = rowLo;
  const hi2 = rowHi;
  filterRow(b2, c0, c1, c2, c3, dx);
  const lo3 = rowLo;
  const hi3 = rowHi;
  filterRow(b3, c0, c1, c2, c3, dx);
  storePixel(at, cubic(lo1, lo2, lo3, rowLo, dy), cubic(hi1, hi2, hi3, rowHi, dy));
}
