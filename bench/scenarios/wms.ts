/**
 * WMS GetMap from a warm cache: 512x512 maps over Europe in the cache's own SRS (tiles stitched and
 * encoded) and reprojected to EPSG:4326 and EPSG:25832 (tiles warped). Every map is requested once
 * before the run, so the measured run never waits for the upstream, then `--warm-up` seconds of
 * unmeasured load, so it measures the servers warm.
 */
import { timedLoad } from '../load.js';
import { fetchAll, loadFor } from '../measure.js';
import type { Scenario } from './types.js';

type BBox = readonly [number, number, number, number];

/** A 4x4 set of overlapping boxes starting at `origin`, each `size` wide and high, `step` apart. */
function boxes(origin: readonly [number, number], size: number, step: number): BBox[] {
  const result: BBox[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const [x, y] = [origin[0] + i * step, origin[1] + j * step];
      result.push([x, y, x + size, y + size]);
    }
  }
  return result;
}

/** The bench layer's GetMap (WMS 1.1.1, PNG) of `bbox` in `srs` at `size` pixels, as a `/service` path. */
export function getMapPath(
  srs: string,
  bbox: readonly number[],
  size: readonly [number, number] = [512, 512],
): string {
  const query = new URLSearchParams({
    SERVICE: 'WMS',
    REQUEST: 'GetMap',
    VERSION: '1.1.1',
    LAYERS: 'osm',
    STYLES: '',
    FORMAT: 'image/png',
    SRS: srs,
    BBOX: bbox.join(','),
    WIDTH: String(size[0]),
    HEIGHT: String(size[1]),
  });
  return `/service?${query.toString()}`;
}

function getMapScenario(name: string, description: string, srs: string, bboxes: readonly BBox[]): Scenario {
  return {
    name,
    description,
    async run({ target, upstream, options }) {
      const paths = bboxes.map((bbox) => getMapPath(srs, bbox));
      await fetchAll(target.url, paths, 4);
      // unmeasured load whose every answer is awaited (see BenchOptions.warmUpSeconds)
      await loadFor(target.url, paths, options.warmUpSeconds, options.connections);
      upstream.resetCount();
      const measurement = await timedLoad(target, paths, options);
      return {
        ...measurement,
        upstreamRequests: upstream.count,
        note: `${paths.length} maps 512x512 in ${srs}, ${options.connections} conns`,
      };
    },
  };
}

/** GetMap in the cache SRS and reprojected. */
export const wmsScenarios: readonly Scenario[] = [
  getMapScenario(
    'wms-3857',
    'WMS GetMap in the cache SRS (EPSG:3857), warm cache',
    'EPSG:3857',
    boxes([0, 5_000_000], 1_000_000, 250_000),
  ),
  getMapScenario(
    'wms-4326',
    'WMS GetMap reprojected to EPSG:4326, warm cache',
    'EPSG:4326',
    boxes([2, 44], 8, 2),
  ),
  getMapScenario(
    'wms-25832',
    'WMS GetMap reprojected to EPSG:25832 (UTM 32N), warm cache',
    'EPSG:25832',
    boxes([300_000, 5_300_000], 600_000, 100_000),
  ),
];
