/**
 * Paletted PNG and GIF from RGBA pixels, quantised as MapProxy 1.15 / Pillow 9.4 do: FASTOCTREE for
 * 8-bit PNG (MapProxy's default), median cut for `quantizer: mediancut` and for GIF (Pillow's
 * `Image.ADAPTIVE`); run on worker threads for large images so tile encodes use every core.
 */
import { encodeIndexedGif } from './gif-indexed.js';
import { encodeIndexedPng } from './png-indexed.js';
import type { Quantized } from './quantize.js';
import { quantizeMedianCut } from './quantize-median-cut.js';
import { javascriptLoops, quantizeOctree, type OctreePixelLoops } from './quantize-octree.js';
import { wasmOctreeLoops } from './quantize-octree-wasm.js';

/**
 * One encode: RGBA pixels, palette size (0 = none asked: only for gif) and whether alpha is kept
 * (else ignored, all opaque).
 */
export interface PaletteJob {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly colors: number;
  readonly withAlpha: boolean;
  /** Defaults to png. */
  readonly format?: 'png' | 'gif';
  /** MapProxy `encoding_options.quantizer`; defaults to fastoctree. */
  readonly quantizer?: 'fastoctree' | 'mediancut';
}

/** MapProxy's transparent entry for `quantizer: mediancut` with alpha. */
const MEDIANCUT_TRANSPARENT = 255;

/** The quantised pixels and the GIF transparent index (null: none). */
interface Paletted {
  readonly quantized: Quantized;
  readonly transparentIndex: number | null;
}

/** Encodes `job` as PNG (8-bit palette) or GIF. */
export function encodePalettePng(job: PaletteJob): Buffer {
  const { quantized, transparentIndex } = paletted(job);
  return job.format === 'gif'
    ? encodeIndexedGif(job.width, job.height, quantized, transparentIndex)
    : encodeIndexedPng(job.width, job.height, withPillowLength(quantized, pillowEntries(job, quantized)));
}

/**
 * How many palette entries Pillow 9.4 writes to the PNG of MapProxy's quantised image. FASTOCTREE:
 * `quantize` keeps `colors` entries of the palette, in its own mode, and the PNG writer counts
 * that palette's bytes by 3: an RGBA palette (with alpha) of 16 colours goes out as 21 entries
 * (seeding differential, seed 8: `image: {mode: RGBA, colors: 16}`), one of RGB as 16. Median cut
 * (`convert('P', palette=ADAPTIVE)`) keeps Pillow's whole 256-entry palette.
 */
function pillowEntries(job: PaletteJob, quantized: Quantized): number {
  if (job.colors <= 0) return quantized.palette.length / 4;
  if (job.quantizer === 'mediancut') return 256;
  return Math.max(1, Math.min(256, Math.floor((job.colors * (job.withAlpha ? 4 : 3)) / 3)));
}

/** `quantized` with `entries` palette entries: cut, or padded with opaque black (Pillow's unused entries). */
function withPillowLength(quantized: Quantized, entries: number): Quantized {
  const { palette } = quantized;
  if (palette.length === entries * 4) return quantized;
  const sized = new Uint8Array(entries * 4);
  sized.set(palette.subarray(0, Math.min(palette.length, sized.length)));
  for (let i = palette.length + 3; i < sized.length; i += 4) sized[i] = 255;
  return { ...quantized, palette: sized };
}

function paletted(job: PaletteJob): Paletted {
  const { data, colors, withAlpha } = job;
  if (colors <= 0) {
    // Pillow GifImagePlugin _normalize_mode: convert('P', palette=ADAPTIVE), which is median cut
    // for RGB but FASTOCTREE for RGBA; the first fully transparent entry becomes transparent
    if (!withAlpha) return { quantized: quantizeMedianCut(data, 256), transparentIndex: null };
    const quantized = quantizeOctree(data, 256, true, octreeLoops(data));
    return { quantized, transparentIndex: firstTransparent(quantized.palette) };
  }
  // MapProxy image/__init__.py quantize(); a quantised image is saved as it is (a GIF keeps no
  // alpha unless `transparency` is passed, which only the median cut branch does)
  if (job.quantizer !== 'mediancut') {
    return { quantized: quantizeOctree(data, colors, withAlpha, octreeLoops(data)), transparentIndex: null };
  }
  if (!withAlpha) return { quantized: quantizeMedianCut(data, colors), transparentIndex: null };
  return { quantized: medianCutWithAlpha(data, colors), transparentIndex: MEDIANCUT_TRANSPARENT };
}

/**
 * MapProxy quantize(alpha=True) for mediancut: median cut to `colors - 1` entries of the RGB
 * pixels, then every pixel with alpha <= 128 gets entry 255, saved with `transparency=255`. The
 * palette is Pillow's 256 entries: unused ones (and so entry 255) are black.
 */
function medianCutWithAlpha(data: Uint8Array, colors: number): Quantized {
  const { palette: cut, indices } = quantizeMedianCut(data, Math.max(1, colors - 1));
  const palette = new Uint8Array(256 * 4);
  palette.set(cut);
  for (let i = cut.length + 3; i < palette.length; i += 4) palette[i] = 255;
  palette[MEDIANCUT_TRANSPARENT * 4 + 3] = 0;
  for (let i = 0; i < indices.length; i++) {
    if ((data[i * 4 + 3] as number) <= 128) indices[i] = MEDIANCUT_TRANSPARENT;
  }
  return { palette, indices };
}

/** Below this many pixels the JavaScript loops take well under a millisecond. */
const WASM_MIN_PIXELS = 128 * 128;

/**
 * FASTOCTREE's pixel loops for `rgba`: in WebAssembly where the engine runs it (the same results,
 * faster), except for small images, which palette-pool.ts encodes on the event loop: that thread
 * then keeps no kernel instance (~1 MB) for them.
 */
function octreeLoops(rgba: Uint8Array): OctreePixelLoops {
  return (rgba.length >>> 2 >= WASM_MIN_PIXELS ? wasmOctreeLoops() : null) ?? javascriptLoops();
}

/** Index of the first palette entry with alpha 0, or null. */
function firstTransparent(palette: Uint8Array): number | null {
  for (let i = 0; i < palette.length / 4; i++) if (palette[i * 4 + 3] === 0) return i;
  return null;
}
