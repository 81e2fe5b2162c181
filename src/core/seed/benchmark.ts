/** `benchmarkSeed`: one seed run measured in tiles per second, for `npm run bench`. */
import { runSeed, type RunSeedOptions } from './run-seed.js';

/** A measured seed run. */
export interface SeedBenchmark {
  /** Tiles written. */
  readonly tiles: number;
  readonly metaTiles: number;
  readonly seconds: number;
  readonly tilesPerSecond: number;
}

/**
 * Runs `runSeed(options)` (use a fresh cache dir and a local upstream) and measures it.
 * Rejects like `runSeed`, and with an `Error` when a meta tile failed.
 */
export async function benchmarkSeed(options: RunSeedOptions): Promise<SeedBenchmark> {
  const started = performance.now();
  const result = await runSeed(options);
  const seconds = (performance.now() - started) / 1000;
  if (result.status === 'failed') throw new Error(`benchmark seed failed for ${result.failureCount} meta tiles`);
  const tiles = result.tasks.reduce((n, t) => n + t.stats.tiles, 0);
  const metaTiles = result.tasks.reduce((n, t) => n + t.stats.metaTiles, 0);
  return { tiles, metaTiles, seconds, tilesPerSecond: tiles / seconds };
}
