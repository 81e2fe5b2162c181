/**
 * Palette quantisation of RGBA pixels for 8-bit PNG, fast enough for seeding (MapProxy's default
 * PIL FASTOCTREE takes ~1 ms a tile): exact when the image has few colours, else median cut.
 * Pure and synchronous; the palette worker runs it off the main thread.
 */

/** A palette (`colors` RGBA entries) and one palette index per pixel. */
export interface Quantized {
  /** RGBA per entry: `palette.length / 4` entries, at most 256. */
  readonly palette: Uint8Array;
  readonly indices: Uint8Array;
  /**
   * Pillow's palette mode `RGBA` (FASTOCTREE with alpha): its PNG lists an alpha for every entry,
   * translucent or not. Else the tRNS chunk runs to the last translucent entry, as Pillow writes
   * an RGB palette's `transparency` index (none when all are opaque).
   */
  readonly alphaPalette?: boolean;
}

/**
 * Maps `rgba` (4 bytes per pixel) to at most `colors` (2-256) palette entries without dithering.
 * With `withAlpha` false the alpha channel is ignored and every entry is opaque (PIL
 * `convert('RGB')`). An image with no more than `colors` distinct colours is kept exactly;
 * otherwise the colours are median-cut: boxes of a colour histogram are split where the squared
 * error drops most, and each box becomes the mean of its pixels.
 */
export function quantize(rgba: Uint8Array, colors: number, withAlpha: boolean): Quantized {
  const limit = Math.max(2, Math.min(256, Math.floor(colors)));
  return exactPalette(rgba, limit, withAlpha) ?? medianCut(rgba, limit, withAlpha);
}

/** The exact palette when there are at most `limit` distinct colours, else null (early exit). */
function exactPalette(rgba: Uint8Array, limit: number, withAlpha: boolean): Quantized | null {
  const pixels = rgba.length >>> 2;
  const view = new Uint32Array(rgba.buffer, rgba.byteOffset, pixels);
  const mask = withAlpha ? 0xffffffff : opaqueMask();
  const indices = new Uint8Array(pixels);
  const seen = new Map<number, number>();
  const entries: number[] = [];
  let last = -1;
  let lastIndex = 0;
  for (let i = 0; i < pixels; i++) {
    const color = ((view[i] as number) & mask) >>> 0;
    if (color !== last) {
      let index = seen.get(color);
      if (index === undefined) {
        if (entries.length === limit) return null;
        index = entries.length;
        entries.push(color);
        seen.set(color, index);
      }
      last = color;
      lastIndex = index;
    }
    indices[i] = lastIndex;
  }
  const palette = new Uint8Array(entries.length * 4);
  const bytes = new Uint8Array(new Uint32Array(entries).buffer);
  palette.set(bytes);
  if (!withAlpha) for (let i = 3; i < palette.length; i += 4) palette[i] = 255;
  return { palette, indices };
}

/** The RGB bytes of a little- or big-endian 32-bit pixel read. */
function opaqueMask(): number {
  const probe = new Uint8Array(new Uint32Array([0x11223344]).buffer);
  return probe[0] === 0x44 ? 0x00ffffff : 0xffffff00;
}

/**
 * Histogram geometry: 5 bits per channel for RGB (32768 buckets), 4 bits for RGBA (65536); the
 * bits only bound where boxes can be split, the palette entries are exact pixel means.
 */
function layout(withAlpha: boolean): { channels: number; bits: number } {
  return withAlpha ? { channels: 4, bits: 4 } : { channels: 3, bits: 5 };
}

function medianCut(rgba: Uint8Array, limit: number, withAlpha: boolean): Quantized {
  // 1. histogram: pixel count and channel sums per bucket; 2. the used buckets
  const cells = histogram(rgba, withAlpha);
  const buckets = usedBuckets(cells, withAlpha);
  // 3. split boxes of buckets, largest squared error first
  const boxes: Box[] = [boxOf(buckets, 0, buckets.keys.length)];
  while (boxes.length < limit) {
    let worst = -1;
    for (let b = 0; b < boxes.length; b++) {
      const box = boxes[b] as Box;
      if (box.end - box.start > 1 && (worst < 0 || box.error > (boxes[worst] as Box).error)) worst = b;
    }
    if (worst < 0 || (boxes[worst] as Box).error <= 0) break;
    const [left, right] = splitBox(buckets, boxes[worst] as Box);
    boxes[worst] = left;
    boxes.push(right);
  }
  // 4. palette = pixel mean of each box; every bucket maps to its box
  const { channels, keys, order } = buckets;
  const palette = new Uint8Array(boxes.length * 4);
  const entryOf = new Uint8Array(cells.length / (channels + 1));
  boxes.forEach((box, b) => {
    for (let c = 0; c < channels; c++) palette[b * 4 + c] = Math.round((box.sum[c] as number) / box.weight);
    if (!withAlpha) palette[b * 4 + 3] = 255;
    for (let i = box.start; i < box.end; i++) entryOf[keys[order[i] as number] as number] = b;
  });
  const indices = new Uint8Array(rgba.length >>> 2);
  for (let i = 0; i < indices.length; i++) indices[i] = entryOf[bucketKey(rgba, i * 4, withAlpha)] as number;
  releaseHistogram(cells, buckets, withAlpha);
  return { palette, indices };
}

/** Zeroed histogram arrays, handed out once at a time. */
const scratch: { rgb: Float64Array | null; rgba: Float64Array | null } = { rgb: null, rgba: null };

/** Zeroes the used buckets of `cells` and keeps it for the next histogram. */
function releaseHistogram(cells: Float64Array, { keys, channels }: Buckets, withAlpha: boolean): void {
  const stride = channels + 1;
  for (const key of keys) cells.fill(0, key * stride, (key + 1) * stride);
  if (withAlpha) scratch.rgba = cells;
  else scratch.rgb = cells;
}

/**
 * Pixel count then channel sums per bucket, interleaved (`channels + 1` numbers a bucket) so that
 * counting a pixel touches one cache line: this pass is most of the time.
 */
function histogram(rgba: Uint8Array, withAlpha: boolean): Float64Array {
  const { channels, bits } = layout(withAlpha);
  const stride = channels + 1;
  // reused per thread (a fresh megabyte per tile costs page faults); `releaseHistogram` zeroes it
  const cells =
    (withAlpha ? scratch.rgba : scratch.rgb) ?? new Float64Array((1 << (bits * channels)) * stride);
  if (withAlpha) scratch.rgba = null;
  else scratch.rgb = null;
  for (let p = 0; p < rgba.length; p += 4) {
    const at = bucketKey(rgba, p, withAlpha) * stride;
    cells[at] = (cells[at] as number) + 1;
    cells[at + 1] = (cells[at + 1] as number) + (rgba[p] as number);
    cells[at + 2] = (cells[at + 2] as number) + (rgba[p + 1] as number);
    cells[at + 3] = (cells[at + 3] as number) + (rgba[p + 2] as number);
    if (withAlpha) cells[at + 4] = (cells[at + 4] as number) + (rgba[p + 3] as number);
  }
  return cells;
}

/** The histogram bucket of the pixel at byte `p` (see `layout`). */
function bucketKey(rgba: Uint8Array, p: number, withAlpha: boolean): number {
  if (withAlpha) {
    return (
      (((rgba[p] as number) >> 4) << 12) |
      (((rgba[p + 1] as number) >> 4) << 8) |
      (((rgba[p + 2] as number) >> 4) << 4) |
      ((rgba[p + 3] as number) >> 4)
    );
  }
  return (
    (((rgba[p] as number) >> 3) << 10) |
    (((rgba[p + 1] as number) >> 3) << 5) |
    ((rgba[p + 2] as number) >> 3)
  );
}

/** The non-empty buckets: key, pixel weight, mean colour, and the order boxes are cut from. */
interface Buckets {
  readonly channels: number;
  readonly bits: number;
  readonly keys: Int32Array;
  readonly weight: Float64Array;
  /** `channels` numbers per bucket. */
  readonly mean: Float64Array;
  /** Bucket numbers; every box is a range of it. */
  readonly order: Int32Array;
  /** Scratch for sorting: `coordinate << 16 | bucket`. */
  readonly packed: Uint32Array;
}

function usedBuckets(cells: Float64Array, withAlpha: boolean): Buckets {
  const { channels, bits } = layout(withAlpha);
  const stride = channels + 1;
  let n = 0;
  for (let at = 0; at < cells.length; at += stride) if ((cells[at] as number) > 0) n++;
  const keys = new Int32Array(n);
  const weight = new Float64Array(n);
  const mean = new Float64Array(n * channels);
  for (let key = 0, i = 0; key * stride < cells.length; key++) {
    const w = cells[key * stride] as number;
    if (w === 0) continue;
    keys[i] = key;
    weight[i] = w;
    for (let c = 0; c < channels; c++) mean[i * channels + c] = (cells[key * stride + 1 + c] as number) / w;
    i++;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return { channels, bits, keys, weight, mean, order, packed: new Uint32Array(n) };
}

/** A range of `order` with its pixel weight, weighted channel sums and squared error. */
interface Box {
  readonly start: number;
  readonly end: number;
  readonly weight: number;
  readonly sum: Float64Array;
  readonly error: number;
}

function boxOf({ channels, weight, mean, order }: Buckets, start: number, end: number): Box {
  const sum = new Float64Array(channels);
  let total = 0;
  let squares = 0;
  for (let i = start; i < end; i++) {
    const at = order[i] as number;
    const w = weight[at] as number;
    total += w;
    for (let c = 0; c < channels; c++) {
      const m = mean[at * channels + c] as number;
      sum[c] = (sum[c] as number) + w * m;
      squares += w * m * m;
    }
  }
  let error = squares;
  for (let c = 0; c < channels; c++) error -= ((sum[c] as number) * (sum[c] as number)) / total;
  return { start, end, weight: total, sum, error };
}

/**
 * Splits `box` along its channel of largest spread, at the position that leaves the least
 * squared error in the two halves (Wu's criterion, on the buckets sorted along that channel).
 */
function splitBox(buckets: Buckets, box: Box): [Box, Box] {
  const { channels, bits, keys, weight, mean, order, packed } = buckets;
  const { start, end } = box;
  // 1. the channel with the largest weighted variance
  let axis = 0;
  let axisSpread = -1;
  for (let c = 0; c < channels; c++) {
    let squares = 0;
    for (let i = start; i < end; i++) {
      const at = order[i] as number;
      const m = mean[at * channels + c] as number;
      squares += (weight[at] as number) * m * m;
    }
    const spread = squares - ((box.sum[c] as number) * (box.sum[c] as number)) / box.weight;
    if (spread > axisSpread) {
      axis = c;
      axisSpread = spread;
    }
  }
  // 2. sort the box by the buckets' coordinate on that axis (buckets do not overlap, so this is
  // the order of their means); a numeric sort of packed integers needs no comparator
  const shift = (channels - 1 - axis) * bits;
  const mask = (1 << bits) - 1;
  for (let i = start; i < end; i++) {
    const at = order[i] as number;
    packed[i] = ((((keys[at] as number) >> shift) & mask) << 16) | at;
  }
  packed.subarray(start, end).sort();
  for (let i = start; i < end; i++) order[i] = (packed[i] as number) & 0xffff;
  // 3. the cut that maximises the between-halves variance, never inside one coordinate
  const left = new Float64Array(channels);
  let leftWeight = 0;
  let best = start + 1;
  let bestGain = -1;
  for (let i = start; i < end - 1; i++) {
    const at = order[i] as number;
    const w = weight[at] as number;
    leftWeight += w;
    for (let c = 0; c < channels; c++)
      left[c] = (left[c] as number) + w * (mean[at * channels + c] as number);
    if ((packed[i + 1] as number) >>> 16 === (packed[i] as number) >>> 16) continue;
    const rightWeight = box.weight - leftWeight;
    let gain = 0;
    for (let c = 0; c < channels; c++) {
      const l = left[c] as number;
      const r = (box.sum[c] as number) - l;
      gain += (l * l) / leftWeight + (r * r) / rightWeight;
    }
    if (gain > bestGain) {
      bestGain = gain;
      best = i + 1;
    }
  }
  return [boxOf(buckets, start, best), boxOf(buckets, best, end)];
}
