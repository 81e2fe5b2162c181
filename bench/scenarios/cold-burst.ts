/**
 * Cold burst: 64 clients at once on the 64 tiles of 4 cold 4x4 meta tiles (level 6, Europe).
 * Ideal: 4 upstream requests, everything answered about as fast as the upstream renders one
 * meta tile; the floor is its time for all 4 at once (both timed first, directly). perSecond is
 * tiles over the time until the last answer. `cold-burst` runs on the fresh server (its first
 * requests); `cold-burst-warm` first sends the same burst on 4 other cold meta tiles, unmeasured,
 * so that it times cold tiles on a server that has already served some, as most bursts meet it.
 */
import { withServerCpu } from '../load.js';
import { median } from '../median.js';
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
/** The warm-up burst's meta tiles: the same shape, east of `META`. */
const WARM_UP_META = [
  [10, 4],
  [11, 4],
  [10, 5],
  [11, 5],
] as const;

/** The upstream GetMap of one meta tile (1024x1024, EPSG:3857) at META position `[mx, my]`. */
function metaTilePath([mx, my]: readonly [number, number]): string {
  const tile = (2 * EXTENT) / 2 ** LEVEL;
  const side = META_SIZE * tile;
  const minx = -EXTENT + mx * side;
  const miny = EXTENT - (my + 1) * side;
  return getMapPath(
    'EPSG:3857',
    [minx, miny, minx + side, miny + side],
    [256 * META_SIZE, 256 * META_SIZE],
  );
}

async function timedFetch(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return performance.now() - started;
}

/**
 * The upstream's own times, medians of 3: one meta tile alone, and all four at once (the floor of
 * the burst: a renderer bound by the CPU cannot render four in the time of one on fewer cores).
 */
async function upstreamTimes(upstreamUrl: string): Promise<{ oneMs: number; allMs: number }> {
  const one: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < 3; i++) {
    one.push(await timedFetch(`${upstreamUrl}${metaTilePath(META[0])}`));
    const started = performance.now();
    await Promise.all(META.map((meta) => timedFetch(`${upstreamUrl}${metaTilePath(meta)}`)));
    all.push(performance.now() - started);
  }
  return { oneMs: median(one), allMs: median(all) };
}

/** The 64 tiles of `metas`. */
function burstTiles(metas: readonly (readonly [number, number])[]): GridTile[] {
  return metas.flatMap(([mx, my]) =>
    Array.from({ length: META_SIZE * META_SIZE }, (_, i) => ({
      x: mx * META_SIZE + (i % META_SIZE),
      y: my * META_SIZE + Math.floor(i / META_SIZE),
      z: LEVEL,
    })),
  );
}

/** All `tiles` asked at once over WMTS REST; counts and latencies of the answers. */
async function burst(targetUrl: string, tiles: readonly GridTile[]) {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  await Promise.all(
    tiles.map(async (tile) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${targetUrl}${tilePath('wmts-rest', tile)}`, {
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
  latencies.sort((a, b) => a - b);
  return { non2xx, errors, latencies };
}

function burstScenario(name: string, description: string, warmUp: boolean): Scenario {
  return {
    name,
    description,
    async run({ target, upstream }) {
      const tiles = burstTiles(META);
      const { oneMs, allMs } = await upstreamTimes(upstream.url);
      if (warmUp) await burst(target.url, burstTiles(WARM_UP_META));
      upstream.resetCount();
      const measured = await withServerCpu(target.pid, async () => {
        const started = performance.now();
        const { non2xx, errors, latencies } = await burst(target.url, tiles);
        const seconds = (performance.now() - started) / 1000;
        return {
          requests: tiles.length,
          non2xx,
          errors,
          seconds,
          perSecond: (tiles.length - non2xx - errors) / seconds,
          p50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN,
          p99Ms: latencies[latencies.length - 1] ?? NaN,
          load: `${tiles.length} fetch clients at once in the bench process`,
        };
      });
      const ms = measured.seconds * 1000;
      return {
        ...measured,
        upstreamRequests: upstream.count,
        note:
          `all answered in ${ms.toFixed(0)} ms = ${(ms / oneMs).toFixed(2)}x the ` +
          `upstream's ${oneMs.toFixed(0)} ms for one meta tile, ${(ms / allMs).toFixed(2)}x its ` +
          `${allMs.toFixed(0)} ms for all 4 at once`,
      };
    },
  };
}

export const coldBurstScenarios: readonly Scenario[] = [
  burstScenario(
    'cold-burst',
    '64 clients at once on the tiles of 4 cold meta tiles (upstream requests, time to the last answer)',
    false,
  ),
  burstScenario(
    'cold-burst-warm',
    'the cold burst after an unmeasured one on 4 other cold meta tiles (a server that has served before)',
    true,
  ),
];
