/**
 * Composition of `services.wms`: image formats with their encoding options, SRS lists,
 * `bbox_srs`, `max_output_pixels`, `strict`, `on_source_errors`, and the layer tree.
 */
import { resolveImageOptions, type ImageFormatOptions } from '../image/index.js';
import type { TileLayer } from '../layer/index.js';
import { WmsService, type OnSourceErrors, type ServiceMetadata, type WmsVersion } from '../service/index.js';
import { buildWmsRoot, type WmsLayerDeps } from './build-wms-layers.js';
import { inspireMetadata } from './inspire-metadata.js';

/** The WMS of `deps.loaded`, or null when `services.wms` is not configured. */
export function buildWms(
  deps: WmsLayerDeps,
  metadata: ServiceMetadata,
  tileLayers: readonly TileLayer[] = [],
): WmsService | null {
  const wms = deps.loaded.config.services.wms;
  if (wms === undefined) return null;
  const globals = deps.loaded.config.globals;
  const imageFormats = new Map<string, ImageFormatOptions>();
  for (const format of wms.image_formats) {
    // a name that is no mime type, `mixed` or `globals.image.formats` entry names no format in
    // MapProxy (listed as an empty <Format></Format>, never servable): we leave it out
    const named = globals.image.formats[format]?.format !== undefined;
    if (!format.startsWith('image/') && format !== 'mixed' && !named) continue;
    try {
      // MapProxy keys them by the resolved mime type: `png8` is requested and listed as the
      // `image/png; mode=8bit` it names; of two that resolve alike the last one's options win
      const options = resolveImageOptions({ format }, globals.image);
      imageFormats.set(options.format, options);
    } catch {
      // a format the encoder cannot produce is left out of the capabilities
    }
  }
  const max = wms.max_output_pixels;
  const maxSize = Array.isArray(max) ? ([max[0] ?? 0, max[1] ?? 0] as const) : null;
  const onErrors = wms.on_source_errors;
  // MapProxy reads `services.wms.concurrent_layer_renderer`, else `globals.wms.concurrent_layer_renderer`
  const own = (wms as { concurrent_layer_renderer?: unknown }).concurrent_layer_renderer;
  const global = (globals as { wms?: { concurrent_layer_renderer?: unknown } }).wms
    ?.concurrent_layer_renderer;
  const extra = typeof own === 'number' ? own : typeof global === 'number' ? global : undefined;
  return new WmsService({
    root: buildWmsRoot(deps, metadata.title ?? ''),
    metadata,
    versions: wms.versions?.filter((v): v is WmsVersion => ['1.0.0', '1.1.0', '1.1.1', '1.3.0'].includes(v)),
    imageFormats,
    infoTypes: wms.featureinfo_types,
    srs: wms.srs,
    bboxSrs: (wms.bbox_srs ?? []).map((entry) =>
      typeof entry === 'string'
        ? { srs: entry, bbox: null }
        : {
            srs: entry.srs ?? 'EPSG:4326',
            bbox: (entry.bbox as [number, number, number, number] | undefined) ?? null,
          },
    ),
    maxOutputPixels: maxSize === null ? (max as number) : maxSize[0] * maxSize[1],
    strict: wms.strict,
    onSourceErrors:
      onErrors === 'raise' || onErrors === 'ignore' ? onErrors : ('notify' satisfies OnSourceErrors),
    concurrentLayerRenderer: extra ?? 1,
    attribution: wms.attribution?.text ?? null,
    inspire: inspireMetadata(wms.inspire_md),
    tileLayers,
    maxTileAgeSeconds: globals.tiles.expires_hours * 3600,
    // paths were made absolute against the configuration's directory by the loader
    infoXslt: {
      stylesheets: new Map(Object.entries(wms.featureinfo_xslt ?? {})),
      timeoutMs: globals.http.client_timeout * 1000,
    },
  });
}
