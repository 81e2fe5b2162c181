/**
 * The cold meta-tile path: every tile of the cold levels, each asked once by N concurrent clients
 * against an empty cache, so each 4x4 meta tile is created once from the upstream and split.
 */
import { withServerCpu } from '../load.js';
import { onceEachRun } from '../measure.js';
import { gridTiles, metaTileCount, tilePath, type TileProtocol } from '../tiles.js';
import type { Scenario } from './types.js';

function coldScenario(protocol: TileProtocol, name: string, description: string): Scenario {
  return {
    name,
    description,
    async run({ target, upstream, options }) {
      const tiles = gridTiles(protocol, options.coldLevels);
      // row by row: neighbours (same meta tile) arrive close together, as from a map client
      const paths = tiles.map((tile) => tilePath(protocol, tile));
      upstream.resetCount();
      const measurement = await withServerCpu(target.pid, () =>
        onceEachRun(target.url, paths, options.coldConcurrency),
      );
      const [from, to] = options.coldLevels;
      return {
        ...measurement,
        upstreamRequests: upstream.count,
        note: `${tiles.length} tiles in ${metaTileCount(tiles)} meta tiles, levels ${from}-${to}, ${options.coldConcurrency} clients`,
      };
    },
  };
}

/** Cold-cache scenarios: tiles/s, upstream requests (ideal: one per meta tile) and latency. */
export const tileColdScenarios: readonly Scenario[] = [
  coldScenario('tms', 'tms-cold', 'TMS tiles on an empty cache (meta tiles created)'),
  coldScenario('wmts-rest', 'wmts-cold', 'WMTS RESTful tiles on an empty cache (meta tiles created)'),
];
