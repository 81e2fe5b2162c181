/**
 * Cold burst: 64 clients at once on the 64 tiles of 4 cold 4x4 meta tiles (level 6, Europe).
 * Ideal: 4 upstream requests, everything answered about as fast as the upstream renders one
 * meta tile (timed first, directly). perSecond is tiles over the time until the last answer.
 */
import { tilePath, META_SIZE, type GridTile } from '../tiles.js';
import type { Scenario } from './types.js';
import { getMapPath } from './wms.js';

const LEVEL = 6;
const EXTENT = 20037508.342789244;
/** Meta tile columns and rows (from the top) over central Europe at level 6. */
const META = [
  [8, 4],
  [9, 4],
  [8, 5],
  [9, 5],
] as const;

/** The upstream's own time for one meta tile (1024x1024 GetMap), median of 3. */
async function upstreamMetaMs(upstreamUrl: string): Promise<number> {
  const tile = (2 * EXTENT) / 2 ** LEVEL;
  const [mx, my] = META[0];
  const bbox = [-EXTENT + mx * META_SIZE * tile, EXTENT - (my + 1) * META_SIZE * tile];
  const minx = bbox[0] ?? 0;
  const miny = bbox[1] ?? 0;
  const side = META_SIZE * tile;
  const path = getMapPath(
    'EPSG:3857',
    [minx, miny, minx + side, miny + side],
    [256 * META_SIZE, 256 * META_SIZE],
  );
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await fetch(`${upstreamUrl}${path}`);
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1] ?? NaN;
}

export const coldBurstScenario: Scenario = {
  name: 'cold-burst',
  description:
    '64 clients at once on the tiles of 4 cold meta tiles (upstream requests, time to the last answer)',
  async run({ target, upstream }) {
    const tiles: GridTile[] = META.flatMap(([mx, my]) =>
      Array.from({ length: META_SIZE * META_SIZE }, (_, i) => ({
        x: mx * META_SIZE + (i % META_SIZE),
        y: my * META_SIZE + Math.floor(i / META_SIZE),
        z: LEVEL,
      })),
    );
    const metaMs = await upstreamMetaMs(upstream.url);
    upstream.resetCount();
    const started = performance.now();
    const latencies: number[] = [];
    let non2xx = 0;
    let errors = 0;
    await Promise.all(
      tiles.map(async (tile) => {
        const t0 = performance.now();
        try {
          const res = await fetch(`${target.url}${tilePath('wmts-rest', tile)}`, {
            signal: AbortSignal.timeout(120_000),
          });
          await res.arrayBuffer();
          if (res.status !== 200) non2xx += 1;
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - t0);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      requests: tiles.length,
      non2xx,
      errors,
      seconds,
      perSecond: (tiles.length - non2xx - errors) / seconds,
      p50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN,
      p99Ms: latencies[latencies.length - 1] ?? NaN,
      upstreamRequests: upstream.count,
      note: `all answered in ${(seconds * 1000).toFixed(0)} ms = ${((seconds * 1000) / metaMs).toFixed(2)}x the upstream's ${metaMs.toFixed(0)} ms for one meta tile`,
    };
  },
};
