/**
 * AssemblyScript source of the paletted PNG row expansion (src/core/image/png-decode.ts's 8-bit
 * palette loop): each index becomes its RGBA word from a 256-entry table. Build: npm run build:wasm.
 */

/**
 * Writes `height` rows of `width` pixels to `out` (rows `outStride` bytes apart), each pixel the
 * u32 at `lut + 4 * index`; the indices are rows `rowStride` bytes apart from `rows`. Four indices
 * are read as one word (the table lookups are the cost; V8 bounds-checks each in JavaScript).
 */
export function expandPalette8(
  rows: usize,
  rowStride: i32,
  lut: usize,
  out: usize,
  outStride: i32,
  width: i32,
  height: i32,
): void {
  const n = <usize>width;
  for (let y = 0; y < height; y++) {
    const src = rows + <usize>y * <usize>rowStride;
    const dst = out + <usize>y * <usize>outStride;
    let x: usize = 0;
    for (; x + 4 <= n; x += 4) {
      const q = load<u32>(src + x);
      const at = dst + (x << 2);
      if (q === (q & 255) * 0x0101_0101) {
        // four equal indices (a tile's flat areas): one lookup, stored four times. (tried: eight
        // equal indices as one u64 test and two stores: stitching x1.04-1.26 slower, not kept)
        v128.store(at, v128.load32_splat(lut + ((q & 255) << 2)));
        continue;
      }
      store<u32>(at, load<u32>(lut + ((q & 255) << 2)));
      store<u32>(at, load<u32>(lut + (((q >> 8) & 255) << 2)), 4);
      store<u32>(at, load<u32>(lut + (((q >> 16) & 255) << 2)), 8);
      store<u32>(at, load<u32>(lut + ((q >> 24) << 2)), 12);
    }
    for (; x < n; x++) store<u32>(dst + (x << 2), load<u32>(lut + (<usize>load<u8>(src + x) << 2)));
  }
}
