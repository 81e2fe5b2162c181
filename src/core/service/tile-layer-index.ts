/**
 * How TMS, `/tiles` and KML name and find tile layers (MapProxy `ServiceConfiguration.tile_layers`,
 * `TileServer._internal_layer`): `<layer>_<EPSGnnnn>` or, with `use_grid_names`, `<layer>/<grid>`.
 */
import type { TileLayer } from '../layer/index.js';

/** One published tile layer and the two path segments that address it. */
export interface TileLayerEntry {
  readonly layer: TileLayer;
  /** `[layer name, EPSGnnnn | grid name]`: the URL path of the layer. */
  readonly namePath: readonly [string, string];
}

export interface TileLayerIndexOptions {
  /** `use_grid_names`: address layers by grid name; the grid segment becomes mandatory. */
  readonly useGridNames?: boolean | undefined;
  /** Suffixes tried after the plain name when no grid segment matches (TMS: 900913 then 4326). */
  readonly fallbackSuffixes: readonly string[];
}

/** `EPSG:900913` -> `EPSG900913`. */
export function srsPathSegment(layer: TileLayer): string {
  return layer.grid.srs.code.replace(':', '').toUpperCase();
}

export class TileLayerIndex {
  readonly #entries = new Map<string, TileLayerEntry>();
  readonly #useGridNames: boolean;
  readonly #fallbackSuffixes: readonly string[];

  constructor(layers: readonly TileLayer[], options: TileLayerIndexOptions) {
    this.#useGridNames = options.useGridNames ?? false;
    this.#fallbackSuffixes = options.fallbackSuffixes;
    for (const layer of layers) {
      const namePath = [layer.name, this.#useGridNames ? layer.gridName : srsPathSegment(layer)] as const;
      // like MapProxy's odict: a later layer with the same key replaces the earlier one in place
      this.#entries.set(this.#key(namePath[0], namePath[1]), { layer, namePath });
    }
  }

  /** All layers in configuration order. */
  entries(): readonly TileLayerEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * The layer for the path segments `<name>[/<spec>]`. Without grid names, `<name>_<spec>`, then
   * the plain name, then the fallback suffixes (`osm` finds `osm_EPSG900913`); with grid names
   * only the exact pair matches, as in MapProxy.
   */
  find(name: string, spec: string | undefined): TileLayerEntry | null {
    if (this.#useGridNames)
      return spec === undefined ? null : (this.#entries.get(this.#key(name, spec)) ?? null);
    const internal = spec === undefined ? name : `${name}_${spec}`;
    for (const candidate of [internal, ...this.#fallbackSuffixes.map((suffix) => `${internal}_${suffix}`)]) {
      const entry = this.#entries.get(candidate);
      if (entry !== undefined) return entry;
    }
    return null;
  }

  #key(name: string, spec: string): string {
    return this.#useGridNames ? `${name}\u0000${spec}` : `${name}_${spec}`;
  }
}
