/**
 * The legend sources of WMS layers (MapProxy `LayerConfiguration.wms_layer`, `lg_source`): a layer's
 * own `legendurl` replaces its sources' legends; a WMS source has a legend with
 * `wms_opts.legendurl` (static) or `wms_opts.legendgraphic: true` (GetLegendGraphic for each of
 * its `req.layers`); a cache has those of its sources. All share the legend cache in
 * `<base_dir>/legends`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedConfig } from '../config/index.js';
import type { ImageFormatOptions } from '../image/index.js';
import {
  createLegendFileStore,
  createLegendSource,
  staticLegendClient,
  wmsLegendClients,
  type LegendSource,
} from '../source/index.js';
import { wmsSourceOptions } from './info-sources.js';

/** The legend sources of one layer: its `legendurl`, else those of `sourceRefs` (sources or caches). */
export function layerLegendSources(
  loaded: LoadedConfig,
  legendUrl: string | undefined,
  sourceRefs: readonly string[],
): LegendSource[] {
  if (legendUrl !== undefined) return [staticSource(loaded, legendUrl)];
  return sourceRefs.flatMap((ref) =>
    legendSourceNames(loaded, ref).flatMap((name) => sourceLegend(loaded, name) ?? []),
  );
}

/** `ref` itself, or for a cache its sources through caches used as sources (MapProxy `cache_source_names`). */
function legendSourceNames(loaded: LoadedConfig, ref: string): string[] {
  const { caches, sources } = loaded.config;
  const cache = caches[ref];
  if (cache === undefined) return [ref];
  const refs = Array.isArray(cache.sources) ? (cache.sources as readonly string[]) : [];
  return refs.flatMap((name) =>
    caches[name] !== undefined && sources[name] === undefined ? legendSourceNames(loaded, name) : [name],
  );
}

function sourceLegend(loaded: LoadedConfig, ref: string): LegendSource | null {
  // MapProxy looks the name up in its sources: a tagged `name:layers` has no legend
  if (loaded.config.sources[ref] === undefined) return null;
  const options = wmsSourceOptions(loaded, ref);
  if (options === null) return null;
  const { common, opts } = options;
  if (typeof opts.legendurl === 'string' && opts.legendurl !== '')
    return staticSource(loaded, opts.legendurl);
  if (opts.legendgraphic !== true) return null;
  return createLegendSource({
    clients: wmsLegendClients(common),
    store: legendStore(loaded),
    isStatic: false,
    storeOptions: storeOptions(loaded),
  });
}

function staticSource(loaded: LoadedConfig, url: string): LegendSource {
  const { globals } = loaded.config;
  return createLegendSource({
    clients: [
      staticLegendClient(absoluteFileUrl(loaded, url), {
        name: 'legendurl',
        headers: globals.http.headers,
        timeoutMs: globals.http.client_timeout * 1000,
      }),
    ],
    store: legendStore(loaded),
    isStatic: true,
    storeOptions: storeOptions(loaded),
  });
}

/** MapProxy: a `file://` URL with a relative path is relative to the configuration's directory. */
function absoluteFileUrl(loaded: LoadedConfig, url: string): string {
  if (!url.startsWith('file://') || url.startsWith('file:///')) return url;
  const path = url.slice('file://'.length);
  return pathToFileURL(isAbsolute(path) ? path : resolve(loaded.configDir, path)).href;
}

function legendStore(loaded: LoadedConfig) {
  return createLegendFileStore(join(loaded.config.globals.cache.base_dir, 'legends'));
}

/**
 * MapProxy `LegendCache.store`: `ImageOptions(format='image/png')`, paletted (255 colours, alpha
 * dropped) with `globals.image.paletted` (the default), else RGBA as it is.
 */
function storeOptions(loaded: LoadedConfig): ImageFormatOptions {
  const isPaletted = loaded.config.globals.image.paletted;
  return {
    format: 'image/png',
    mode: null,
    colors: isPaletted ? 255 : 0,
    transparent: !isPaletted,
    resampling: 'bicubic',
    jpegQuality: 90,
    quantizer: null,
  };
}
