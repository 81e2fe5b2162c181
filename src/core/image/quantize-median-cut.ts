/**
 * Pillow's median cut (`convert('P', palette=Image.ADAPTIVE)` on an RGB image, libImaging/Quant.c
 * `quantize()`, method 0, no k-means), which MapProxy 1.15 uses for GIF and for
 * `quantizer: mediancut`: the same palette colour at every pixel. Alpha is ignored (Quant.c refuses
 * RGBA for median cut). Pure and synchronous; runs on the palette workers.
 */
import type { Quantized } from './quantize.js';

/** Quant.c MAX_HASH_ENTRIES: above this many colours the histogram drops low bits. */
const MAX_HASH_ENTRIES = 65536;

/** Quant.c PIXEL_HASH; colours with equal hashes are one histogram entry (its `pixel_cmp`). */
function pixelHash(r: number, g: number, b: number): number {
  return (Math.imul(r, 463) ^ Math.imul(g << 8, 10069) ^ Math.imul(b << 16, 64997)) >>> 0;
}

/** Histogram entries: scaled colour of the first pixel of each hash, and pixel counts. */
interface Histogram {
  readonly scale: number;
  /** Histogram entry of every pixel. */
  readonly entryOf: Uint32Array;
  /** 3 scaled channels per entry. */
  readonly colors: Uint8Array;
  readonly counts: Uint32Array;
}

function histogram(rgba: Uint8Array): Histogram {
  const pixels = rgba.length >>> 2;
  // Quant.c create_pixel_hash raises the scale while more than MAX_HASH_ENTRIES keys exist; as
  // key counts only grow, that ends at the smallest scale whose whole-image count fits
  for (let scale = 0; ; scale++) {
    const keys = new Map<number, number>();
    const entryOf = new Uint32Array(pixels);
    const colors: number[] = [];
    const counts: number[] = [];
    let fits = true;
    for (let i = 0; i < pixels; i++) {
      const o = i * 4;
      const r = (rgba[o] as number) >> scale;
      const g = (rgba[o + 1] as number) >> scale;
      const b = (rgba[o + 2] as number) >> scale;
      const key = pixelHash(r, g, b);
      let entry = keys.get(key);
      if (entry === undefined) {
        entry = counts.length;
        if (entry === MAX_HASH_ENTRIES) {
          fits = false;
          break;
        }
        keys.set(key, entry);
        colors.push(r, g, b);
        counts.push(0);
      }
      counts[entry] = (counts[entry] as number) + 1;
      entryOf[i] = entry;
    }
    if (fits) return { scale, entryOf, colors: Uint8Array.from(colors), counts: Uint32Array.from(counts) };
  }
}

/** A box of histogram entries (Quant.c BoxNode): a leaf, or split into `left` and `right`. */
interface Box {
  entries: number[];
  readonly pixelCount: number;
  /** Lowest and highest scaled value per channel (the heads and tails of Quant.c's lists). */
  readonly low: readonly number[];
  readonly high: readonly number[];
  left: Box | null;
  right: Box | null;
}

function newBox(entries: number[], pixelCount: number, colors: Uint8Array): Box {
  const low = [255, 255, 255];
  const high = [0, 0, 0];
  for (const e of entries) {
    for (let c = 0; c < 3; c++) {
      const v = colors[e * 3 + c] as number;
      if (v < (low[c] as number)) low[c] = v;
      if (v > (high[c] as number)) high[c] = v;
    }
  }
  return { entries, pixelCount, low, high, left: null, right: null };
}

/**
 * Quant.c QuantHeap: a binary max-heap on `pixelCount`, ported as is because the order in which
 * boxes with equal counts leave it decides which box splits.
 */
class BoxHeap {
  private readonly heap: (Box | undefined)[] = [undefined];
  private count = 0;

  add(box: Box): void {
    let k = ++this.count;
    while (k !== 1) {
      const parent = this.heap[k >> 1] as Box;
      if (box.pixelCount - parent.pixelCount <= 0) break;
      this.heap[k] = parent;
      k >>= 1;
    }
    this.heap[k] = box;
  }

  remove(): Box | null {
    if (this.count === 0) return null;
    const top = this.heap[1] as Box;
    const last = this.heap[this.count--] as Box;
    let k = 1;
    while (k * 2 <= this.count) {
      let l = k * 2;
      if (l < this.count && (this.heap[l] as Box).pixelCount - (this.heap[l + 1] as Box).pixelCount < 0) l++;
      if (last.pixelCount - (this.heap[l] as Box).pixelCount > 0) break;
      this.heap[k] = this.heap[l];
      k = l;
    }
    this.heap[k] = last;
    return top;
  }
}

/**
 * Quant.c split()/splitlists(): the axis with the largest luminance-weighted range (77, 150, 29;
 * the first on ties); walking the entries from the highest value down, the left box takes every
 * value up to and including the one where the running count passes half the box; if that leaves
 * the right box empty, the right box takes the lowest value instead.
 */
function split(box: Box, hist: Histogram): void {
  const range = (c: number): number => (box.high[c] as number) - (box.low[c] as number);
  const weighted = [range(0) * 77, range(1) * 150, range(2) * 29];
  let axis = 0;
  for (let c = 1; c < 3; c++) if ((weighted[axis] as number) < (weighted[c] as number)) axis = c;
  const perValue = new Float64Array(256);
  for (const e of box.entries) {
    const v = hist.colors[e * 3 + axis] as number;
    perValue[v] = (perValue[v] as number) + (hist.counts[e] as number);
  }
  // the partition depends only on values, not on the order of equal values in Quant.c's lists
  let running = 0;
  let cut = -1;
  for (let v = 255; v >= 0; v--) {
    running += perValue[v] as number;
    if ((perValue[v] as number) > 0 && running * 2 > box.pixelCount) {
      cut = v;
      break;
    }
  }
  const lowest = box.low[axis] as number;
  // values >= cut go left; when none are left over, the lowest value moves right
  const threshold = cut > lowest ? cut : lowest + 1;
  const left: number[] = [];
  const right: number[] = [];
  let leftCount = 0;
  let rightCount = 0;
  for (const e of box.entries) {
    if ((hist.colors[e * 3 + axis] as number) >= threshold) {
      left.push(e);
      leftCount += hist.counts[e] as number;
    } else {
      right.push(e);
      rightCount += hist.counts[e] as number;
    }
  }
  box.left = newBox(left, leftCount, hist.colors);
  box.right = newBox(right, rightCount, hist.colors);
  box.entries = [];
}

/** Quant.c compute_box_volume() === 1: a single colour, which is never split. */
function isSingleColor(box: Box): boolean {
  return box.low.every((low, c) => low === box.high[c]);
}

/** Quant.c median_cut(): `colors - 1` splits of the most populous splittable box. */
function medianCutBoxes(hist: Histogram, pixels: number, colors: number): Box {
  const root = newBox(Array.from(hist.counts.keys()), pixels, hist.colors);
  const heap = new BoxHeap();
  heap.add(root);
  for (let n = colors - 1; n > 0; n--) {
    let box = heap.remove();
    while (box !== null && isSingleColor(box)) box = heap.remove();
    if (box === null) break;
    split(box, hist);
    heap.add(box.left as Box);
    heap.add(box.right as Box);
  }
  return root;
}

/** Palette index of every histogram entry: leaves numbered left (higher values) first. */
function annotate(root: Box, entries: number): Uint32Array {
  const boxOf = new Uint32Array(entries);
  let next = 0;
  const stack: Box[] = [root];
  while (stack.length > 0) {
    const box = stack.pop() as Box;
    if (box.left !== null && box.right !== null) {
      stack.push(box.right, box.left);
      continue;
    }
    for (const e of box.entries) boxOf[e] = next;
    if (box.entries.length > 0) next++;
  }
  return boxOf;
}

/**
 * Maps RGB pixels (4 bytes each, alpha ignored) to at most `colors` (1-256) palette entries as
 * Pillow 9.4's median cut does; every palette entry is opaque.
 */
export function quantizeMedianCut(rgba: Uint8Array, colors: number): Quantized {
  const pixels = rgba.length >>> 2;
  const limit = Math.max(1, Math.min(256, Math.floor(colors)));
  // 1. histogram; 2. median cut; 3. palette index per histogram entry (annotate_hash_table)
  const hist = histogram(rgba);
  const boxOf = annotate(medianCutBoxes(hist, pixels, limit), hist.counts.length);
  let entries = 0;
  for (const box of boxOf) entries = Math.max(entries, box + 1);
  // 4. each entry is the rounded mean of its box's pixels (compute_palette_from_median_cut)
  const sums = new Float64Array(entries * 4);
  for (let i = 0; i < pixels; i++) {
    const box = boxOf[hist.entryOf[i] as number] as number;
    for (let c = 0; c < 3; c++)
      sums[box * 4 + c] = (sums[box * 4 + c] as number) + (rgba[i * 4 + c] as number);
    sums[box * 4 + 3] = (sums[box * 4 + 3] as number) + 1;
  }
  const palette = new Uint8Array(entries * 4);
  for (let p = 0; p < entries; p++) {
    const count = sums[p * 4 + 3] as number;
    for (let c = 0; c < 3; c++) palette[p * 4 + c] = Math.floor(0.5 + (sums[p * 4 + c] as number) / count);
    palette[p * 4 + 3] = 255;
  }
  // 5. distance tables: per entry, all entries by squared distance, ties by index
  const dist = new Uint32Array(entries * entries);
  for (let i = 0; i < entries; i++) {
    for (let j = 0; j < i; j++) {
      const d = distance(palette, i * 4, palette, j * 4);
      dist[i * entries + j] = d;
      dist[j * entries + i] = d;
    }
  }
  const order = new Uint16Array(entries * entries);
  const row: number[] = Array.from({ length: entries }, (_, j) => j);
  for (let i = 0; i < entries; i++) {
    const base = i * entries;
    const sorted = row
      .slice()
      .sort((a, b) => (dist[base + a] as number) - (dist[base + b] as number) || a - b);
    order.set(sorted, base);
  }
  // 6. map_image_pixels_from_median_box: start at the pixel's box entry, then look for a strictly
  //    closer entry among those within twice its distance of that entry (4x the squared distance)
  const indices = new Uint8Array(pixels);
  const mapped = new Map<number, number>();
  for (let i = 0; i < pixels; i++) {
    const o = i * 4;
    const color = ((rgba[o] as number) << 16) | ((rgba[o + 1] as number) << 8) | (rgba[o + 2] as number);
    let best = mapped.get(color);
    if (best === undefined) {
      const start = boxOf[hist.entryOf[i] as number] as number;
      best = start;
      let bestDist = distance(palette, start * 4, rgba, o);
      const reach = bestDist * 4;
      const base = start * entries;
      for (let j = 0; j < entries; j++) {
        const candidate = order[base + j] as number;
        if ((dist[base + candidate] as number) > reach) break;
        const d = distance(palette, candidate * 4, rgba, o);
        if (d < bestDist) {
          bestDist = d;
          best = candidate;
        }
      }
      mapped.set(color, best);
    }
    indices[i] = best;
  }
  return { palette, indices };
}

/** Quant.c _DISTSQR: squared RGB distance between the colours at `a[i]` and `b[j]`. */
function distance(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  const dr = (a[i] as number) - (b[j] as number);
  const dg = (a[i + 1] as number) - (b[j + 1] as number);
  const db = (a[i + 2] as number) - (b[j + 2] as number);
  return dr * dr + dg * dg + db * db;
}
