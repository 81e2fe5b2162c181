/**
 * Runs paletted PNG encodes on a pool of worker threads (one per core), so the tiles of a meta
 * tile are quantised in parallel and never on the event loop. Tiny images are encoded inline.
 */
import { encodeMetaTiles, type MetaTilesJob, type MetaTilesResult } from './meta-tiles-job.js';
import { encodePalettePng, type PaletteJob } from './palette-png.js';
import { processCores } from '../util/index.js';
import { lazyPool } from './thread-pool.js';
import { ownBytes } from './transfer-pool.js';

/** Below this many pixels a thread hop costs more than the encode itself. */
const INLINE_MAX_PIXELS = 64 * 64;

const MAX_THREADS = processCores();
const pool = lazyPool('palette-worker', 'runPalettePng', MAX_THREADS);

/**
 * The paletted PNG of `job`; rejects when the worker fails. `movePixels`: the caller gives up
 * `job.data`'s buffer, which is then moved to the thread instead of copied.
 */
export async function encodePalettePngAsync(
  job: PaletteJob,
  { movePixels = false }: { readonly movePixels?: boolean } = {},
): Promise<Buffer> {
  if (job.width * job.height <= INLINE_MAX_PIXELS) return encodePalettePng(job);
  // a view into a larger buffer would be cloned whole: send only the pixels, in a copy of their
  // own that is moved (as are pixels the caller gives up); others are cloned
  const { data } = job;
  const own = ownBytes(data);
  const move = own !== data || movePixels;
  const result: unknown = await pool
    .get()
    .run({ ...job, data: own }, move ? { transferList: [own.buffer as ArrayBuffer] } : {});
  if (!(result instanceof Uint8Array)) throw new Error('palette worker returned no PNG');
  return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
}

/**
 * The tiles of a meta tile encoded in one task on a palette thread (null: its PNG is left to
 * sharp, see `encodeMetaTiles`). The buffers of `job.png` or `job.pixels`, and `job.pngsBuffer`, are
 * moved to the thread (a view moves its whole buffer). Rejects when the worker fails.
 */
export async function encodeMetaTilesAsync(job: MetaTilesJob): Promise<MetaTilesResult | null> {
  if (job.size[0] * job.size[1] <= INLINE_MAX_PIXELS) return encodeMetaTiles(job);
  const input = job.png ?? job.pixels;
  const transferList = [
    ...(input === null ? [] : [input.buffer as ArrayBuffer]),
    ...(job.pngsBuffer === null || job.pngsBuffer === undefined ? [] : [job.pngsBuffer]),
  ];
  const result: unknown = await pool.get().run(job, { name: 'runMetaTiles', transferList });
  if (result === null) return null;
  if (!isMetaTilesResult(result)) throw new Error('palette worker returned no tiles');
  return result;
}

function isMetaTilesResult(value: unknown): value is MetaTilesResult {
  return typeof value === 'object' && value !== null && 'pngs' in value && value.pngs instanceof Uint8Array;
}

/**
 * Starts a palette thread when none is running, without waiting for it: idle threads exit,
 * and a cold thread (start, module load, quantiser set-up) took 50 ms on an idle machine and up to
 * 1.5 s on a loaded one before the first tile of a cold burst was encoded. Called when the
 * encodes are known to come (a meta tile requested upstream), so the start overlaps the wait.
 * Resolves when the started thread is ready; never rejects (a real encode reports failures).
 */
export async function warmPaletteWorkers(): Promise<void> {
  const running = pool.get();
  if (running.threads.length > 0) return;
  // one thread: more start only while encodes queue behind it (thread-pool.ts); two warmed at
  // once kept both for a whole seed run
  await running.run(null, { name: 'warmUp' }).catch(() => undefined);
}

/** Palette threads started or running in this process (tests and metrics). */
export function paletteThreadCount(): number {
  return pool.get().threads.length;
}

/** Stops the palette threads; a later encode starts a fresh pool. */
export function closePaletteWorkers(): Promise<void> {
  return pool.close();
}
