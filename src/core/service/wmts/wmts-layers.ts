/**
 * The layers WMTS publishes (MapProxy `WMTSServer._matrix_sets`): tile layers grouped by name, one
 * TileMatrixSet per grid name, grids that cannot be addressed from the top left left out.
 */
import { supportsAccessWithOrigin } from '../../grid/index.js';
import type { TileLayer } from '../../layer/index.js';
import { getLogger } from '../../util/index.js';
import { tileMatrixSet, type TileMatrixSet } from './tile-matrix-set.js';

/** One WMTS layer: the tile layers of one name, by grid (TileMatrixSet) name. */
export interface WmtsLayer {
  readonly name: string;
  /** The first tile layer of this name: title, format and extent come from it. */
  readonly main: TileLayer;
  readonly byGrid: ReadonlyMap<string, TileLayer>;
}

export interface WmtsLayerSet {
  readonly layers: ReadonlyMap<string, WmtsLayer>;
  readonly matrixSets: readonly TileMatrixSet[];
}

/** Groups `tileLayers` for WMTS, logging a warning for every layer/grid it has to skip. */
export function buildWmtsLayerSet(tileLayers: readonly TileLayer[]): WmtsLayerSet {
  const log = getLogger('mapproxy.service.wmts');
  const matrixSets = new Map<string, TileMatrixSet>();
  const grouped = new Map<string, Map<string, TileLayer>>();
  for (const layer of tileLayers) {
    if (!supportsAccessWithOrigin(layer.grid, 'nw')) {
      log.warn(
        `skipping layer '${layer.name}' for WMTS, grid '${layer.gridName}' is not compatible with WMTS`,
      );
      continue;
    }
    if (!matrixSets.has(layer.gridName))
      matrixSets.set(layer.gridName, tileMatrixSet(layer.gridName, layer.grid));
    let byGrid = grouped.get(layer.name);
    if (byGrid === undefined) {
      byGrid = new Map();
      grouped.set(layer.name, byGrid);
    }
    byGrid.set(layer.gridName, layer);
  }
  const layers = new Map<string, WmtsLayer>();
  for (const [name, byGrid] of grouped) {
    const main = byGrid.values().next().value;
    if (main !== undefined) layers.set(name, { name, main, byGrid });
  }
  return { layers, matrixSets: [...matrixSets.values()] };
}
