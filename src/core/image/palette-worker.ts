/** Piscina worker entry: quantises RGBA pixels and writes the paletted PNG, off the main thread. */
import { Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { encodeMetaTiles, type MetaTilesJob } from './meta-tiles-job.js';
import { encodePalettePng, type PaletteJob } from './palette-png.js';
import { wasmOctreeLoops } from './quantize-octree-wasm.js';
import { ownBytes } from './transfer-pool.js';

/** Encodes `job` and transfers the PNG bytes to the caller without copying. */
export function runPalettePng(job: PaletteJob): unknown {
  // a small Buffer is a slice of Node's shared pool, which must not be transferred: copy it out
  return Piscina.move(ownBytes(encodePalettePng(job)));
}

/**
 * Encodes a meta tile's tiles; the PNGs (and the pixels, if asked) go back moved, not copied, with
 * the job's spare buffers for the caller's pool.
 */
export function runMetaTiles(job: MetaTilesJob): unknown {
  const result = encodeMetaTiles(job);
  if (result === null) return null;
  const { pngs, pixels, spares } = result;
  return Piscina.move({
    get [transferableSymbol]() {
      return [pngs.buffer, ...(pixels === null ? [] : [pixels.buffer]), ...spares];
    },
    get [valueSymbol]() {
      return result;
    },
  });
}

/**
 * `warmPaletteWorkers`' task: a 1x1 encode through the real path (the PNG writer's and the
 * quantiser's tables), and the WebAssembly loops that tile-sized images use, which a 1x1 image
 * does not reach (palette-png.ts keeps small images on the JavaScript loops), compiled and
 * instantiated, so both are ready for the first tile. Tried and dropped (issue 13): a synthetic
 * 256-pixel RGBA PNG through the whole meta tile path here too (decode, quantise with and without
 * alpha, encode): the fresh `serve -w 2` workers' cold burst 370 (360-430) -> 340 (250-360) ms of
 * CPU, but +155 ms of CPU a worker at start and +4 MB RSS (4 alternating pairs).
 */
export function warmUp(): null {
  encodePalettePng({ data: new Uint8Array(4), width: 1, height: 1, colors: 256, withAlpha: false });
  wasmOctreeLoops();
  return null;
}
