/**
 * MapProxy's `GridConfiguration.conf` dicts, which `tile_grid()` rewrites the first time a grid is
 * built (base keys merged in, `base` dropped, `tile_size` added). `mapproxy-util grids` prints the
 * dict as it is *before* the grid it shows is built, so what it prints depends on that history.
 */
import { PyInt, type PyValue } from '../util/index.js';
import type { PyConf } from './grid-conf-values.js';

/** The mutable conf dicts of all grids, replaying MapProxy's memoized `tile_grid()`. */
export class GridConfState {
  readonly #confs: Map<string, PyConf>;
  readonly #built = new Set<string>();
  readonly #globalTileSize: PyValue;

  /** `confs` in MapProxy's dict order; `globalTileSize` is `globals.grid.tile_size`. */
  constructor(confs: ReadonlyMap<string, PyConf>, globalTileSize: readonly number[]) {
    this.#confs = new Map(confs);
    this.#globalTileSize = globalTileSize.map((size) => (Number.isInteger(size) ? new PyInt(size) : size));
  }

  /** The grid names in MapProxy's dict order (defaults first). */
  names(): string[] {
    return [...this.#confs.keys()];
  }

  /** The conf dict of `name` as it is now. */
  conf(name: string): PyConf {
    return this.#confs.get(name) ?? {};
  }

  /** Replays `GridConfiguration.tile_grid()` for `name` (once; later calls change nothing). */
  build(name: string): void {
    if (this.#built.has(name)) return;
    this.#built.add(name);
    const own = this.conf(name);
    let conf: Record<string, PyValue> = { ...own };
    // loader.py: conf = base.conf.copy(); conf.update(self.conf); conf.pop('base'). The base's conf
    // is taken as it is now, so a chain of bases is only followed when the base was built before.
    const base = own.base;
    if (typeof base === 'string' && this.#confs.has(base)) {
      conf = { ...this.conf(base), ...own };
      delete conf.base;
    }
    const alignWith = conf.align_resolutions_with;
    if (typeof alignWith === 'string' && this.#confs.has(alignWith)) this.build(alignWith);
    conf.tile_size = conf.tile_size ?? this.#globalTileSize;
    this.#confs.set(name, conf);
  }

  /** Builds every grid in dict order, as loading a seed configuration does. */
  buildAll(): void {
    for (const name of this.names()) this.build(name);
  }
}
