/**
 * Cache-hit tile throughput for TMS, WMTS REST and WMTS KVP: every tile of the hit levels is
 * created first, then the load generator rotates over them (shuffled): a short warm-up, then the
 * measured run of the configured duration.
 */
import { timedLoad } from '../load.js';
import { fetchAll } from '../measure.js';
import { gridTiles, shuffled, tilePath, type TileProtocol } from '../tiles.js';
import type { Scenario } from './types.js';

function hitScenario(protocol: TileProtocol, name: string, description: string): Scenario {
  return {
    name,
    description,
    nginxReference: true,
    async run({ target, upstream, options }) {
      const paths = shuffled(gridTiles(protocol, options.hitLevels)).map((tile) => tilePath(protocol, tile));
      // 1. create every tile, so the measured run only reads the cache
      await fetchAll(target.url, paths, 8);
      upstream.resetCount();
      // 2. warm up (not measured), then measure
      const measurement = await timedLoad(target, paths, options, options.warmUpSeconds);
      const [from, to] = options.hitLevels;
      return {
        ...measurement,
        upstreamRequests: upstream.count,
        note: `${paths.length} tiles, levels ${from}-${to}, ${options.connections} conns`,
      };
    },
  };
}

/** The cache-hit scenarios, one per tile protocol. */
export const tileHitScenarios: readonly Scenario[] = [
  hitScenario('tms', 'tms-hit', 'TMS tiles from the cache (/tms/1.0.0/...)'),
  hitScenario('wmts-rest', 'wmts-rest-hit', 'WMTS RESTful tiles from the cache (/wmts/...)'),
  hitScenario('wmts-kvp', 'wmts-kvp-hit', 'WMTS KVP GetTile from the cache (/service?...)'),
];
