/**
 * Runs paletted PNG encodes on a pool of worker threads (one per core), so the tiles of a meta
 * tile are quantised in parallel and never on the event loop. Tiny images are encoded inline.
 */
import { encodePalettePng, type PaletteJob } from './palette-png.js';
import { processCores } from '../util/index.js';
import { lazyPool } from './thread-pool.js';

/** Below this many pixels a thread hop costs more than the encode itself. */
const INLINE_MAX_PIXELS = 64 * 64;

const pool = lazyPool('palette-worker', 'runPalettePng', processCores());

/** The paletted PNG of `job`; rejects when the worker fails. */
export async function encodePalettePngAsync(job: PaletteJob): Promise<Buffer> {
  if (job.width * job.height <= INLINE_MAX_PIXELS) return encodePalettePng(job);
  // a view into a larger buffer would be cloned whole: send only the pixels
  const { data } = job;
  const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
  const result: unknown = await pool.get().run({ ...job, data: own });
  if (!(result instanceof Uint8Array)) throw new Error('palette worker returned no PNG');
  return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
}

/** Stops the palette threads; a later encode starts a fresh pool. */
export function closePaletteWorkers(): Promise<void> {
  return pool.close();
}
