/**
 * Which SRS and tile layers the demo offers, in MapProxy's order (`DemoServer.layer_srs`, the
 * layers grouped by name, TMS `name_path`).
 */
import { supportsAccessWithOrigin } from '../../grid/index.js';
import type { TileLayer } from '../../layer/index.js';
import { srsPathSegment } from '../tile-layer-index.js';
import type { DemoOptions, DemoWmsLayer } from './types.js';

/** One choice of the SRS select: `label` marks native SRS with `*`. */
export interface SrsChoice {
  readonly label: string;
  readonly code: string;
}

/** MapProxy sorts by the EPSG number as a string (`25832` < `3857` < `4326` < `CRS:84`). */
function srsSortKey(code: string): string {
  return /^EPSG:(\d+)$/i.exec(code)?.[1] ?? code;
}

const bySrsKey = (a: string, b: string): number => {
  const [ka, kb] = [srsSortKey(a), srsSortKey(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The native SRS (marked `*`) then the other configured SRS, each sorted as MapProxy. */
export function layerSrsChoices(layer: DemoWmsLayer, srs: readonly string[]): SrsChoice[] {
  const native = [...new Set(layer.nativeSrs)].sort(bySrsKey);
  const others = srs.filter((code) => !native.includes(code)).sort(bySrsKey);
  return [
    ...native.map((code) => ({ label: `${code}*`, code })),
    ...others.map((code) => ({ label: code, code })),
  ];
}

/** Tile layers grouped by name, in configuration order. */
export function groupTileLayers(layers: readonly TileLayer[]): Map<string, TileLayer[]> {
  const groups = new Map<string, TileLayer[]>();
  for (const layer of layers) {
    const group = groups.get(layer.name);
    if (group === undefined) groups.set(layer.name, [layer]);
    else group.push(layer);
  }
  return groups;
}

/** The TMS path segments of a layer: `[name, EPSGnnnn]`, or `[name, grid]` with `use_grid_names`. */
export function tmsNamePath(options: DemoOptions, layer: TileLayer): readonly [string, string] {
  return [layer.name, options.tmsUseGridNames ? layer.gridName : srsPathSegment(layer)];
}

/** Whether a tile service can address the grid: WMTS counts rows from the top, TMS from the bottom. */
export function canServe(layer: TileLayer, service: 'wmts' | 'tms'): boolean {
  return supportsAccessWithOrigin(layer.grid, service === 'wmts' ? 'nw' : 'sw');
}

/** The first tile layer with this name whose grid is in `srs` and that the service can address. */
export function findTileLayer(
  layers: readonly TileLayer[],
  name: string,
  srs: string | undefined,
  service: 'wmts' | 'tms',
): TileLayer | null {
  const candidates = layers.filter((l) => l.name === name && canServe(l, service));
  return candidates.find((l) => srs === undefined || l.grid.srs.code === srs.toUpperCase()) ?? null;
}
