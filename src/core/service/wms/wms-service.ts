/**
 * `WmsService`: WMS 1.0.0-1.3.0 (MapProxy `service/wms.py` `WMSServer`): GetCapabilities, GetMap,
 * GetFeatureInfo and GetLegendGraphic, each error rendered by the version's exception handler.
 */
import {
  blankImage,
  concatImages,
  formatName,
  maxEncodableSide,
  resolveImageOptions,
  type ImageFormatOptions,
  type ImageResult,
} from '../../image/index.js';
import { tmsGridInfo } from '../../grid/index.js';
import type { FeatureInfoDoc, FeatureInfoSource, LegendQuery, TileLayer } from '../../layer/index.js';
import { preloadSrsDefinitions } from '../../srs/index.js';
import { Gate, getLogger, processCores, pyFloatRepr, type BBox } from '../../util/index.js';
import { OgcError } from '../errors.js';
import { infoContentType, queryFeatureInfo } from '../feature-info.js';
import type { ServiceMetadata } from '../metadata.js';
import { NO_CACHE, NO_CACHE_HEADERS, toInternalError } from '../responses.js';
import { srsPathSegment } from '../tile-layer-index.js';
import { DEFAULT_MAX_AGE_SECONDS, tileResponse, type TileCachingOptions } from '../tile-serving.js';
import type { Service, ServiceRequest, ServiceResponse } from '../types.js';
import { renderCapabilities, type WmscTileSet } from './capabilities.js';
import type { InspireMetadata } from './inspire.js';
import { infoMime } from './info-mime.js';
import { featureInfoResponse, type InfoXslt } from './info-response.js';
import { renderMap, storedTileMap, type OnSourceErrors } from './get-map.js';
import { limitToSrsExtent } from './srs-extent.js';
import { renderWmsException, type WmsExceptionContext } from './wms-exception.js';
import { infoLayers, isQueryable, namedLayers, type WmsLayerNode } from './wms-layer.js';
import {
  checkMissing,
  formatMime,
  parseBgcolor,
  parseInfoRequest,
  parseMapRequest,
  parseRequestType,
  parseSize,
  requestSrs,
  srsError,
  type MapParams,
} from './wms-request.js';
import { negotiateVersion, WMS_VERSIONS, type WmsVersion } from './wms-version.js';

/** What the GetMap found out on the way that an exception needs. */
interface ErrorFindings {
  /** The image is too large to draw an exception into: XML. */
  forceXml: boolean;
  /** The format as the format check read it, once it passed. */
  checkedFormat: string | null;
}

/** An exception's context: the request's own, and what the GetMap found out on the way. */
type ErrorContext = WmsExceptionContext & ErrorFindings;

export interface WmsServiceOptions {
  /** The layer tree; an unnamed root for several top-level layers (MapProxy's rule). */
  readonly root: WmsLayerNode;
  readonly metadata: ServiceMetadata;
  /** `versions`: default all four. */
  readonly versions?: readonly WmsVersion[] | undefined;
  /** `image_formats` with their encoding options, in capabilities order. */
  readonly imageFormats: ReadonlyMap<string, ImageFormatOptions>;
  /** `featureinfo_types` (`text`, `html`, `xml`, `json`); default text, html, xml. */
  readonly infoTypes?: readonly string[] | undefined;
  readonly srs: readonly string[];
  readonly bboxSrs: readonly {
    readonly srs: string;
    readonly bbox: readonly [number, number, number, number] | null;
  }[];
  /** `max_output_pixels` as width*height (a configured pair multiplied out). */
  readonly maxOutputPixels: number;
  readonly strict: boolean;
  readonly onSourceErrors: OnSourceErrors;
  readonly concurrentLayerRenderer: number;
  /** `attribution.text`, drawn in the lower right corner of every GetMap; null: none. */
  readonly attribution?: string | null | undefined;
  /**
   * GetMaps rendered at once by this process (the others wait); default: its share of the cores
   * plus one, so the event loop has a map to stitch while the worker threads resample another.
   */
  readonly concurrentMaps?: number | undefined;
  /** `inspire_md`: INSPIRE extended capabilities (1.3.0 only). */
  readonly inspire?: InspireMetadata | null | undefined;
  /** `featureinfo_xslt`: the stylesheet per info type that combined feature info is transformed by. */
  readonly infoXslt?: InfoXslt | undefined;
  /** The tile layers (TMS's list) that 1.1.x capabilities show as WMS-C TileSets under `TILED=true`. */
  readonly tileLayers?: readonly TileLayer[] | undefined;
  /** `globals.tiles.expires_hours` in seconds: the max-age of a WMS-C map that is a stored tile. */
  readonly maxTileAgeSeconds?: number | undefined;
  /** Clock (ms since epoch) for the timestamp of a WMS-C tile that was not stored; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

const log = getLogger('mapproxy.service.wms');

/** MapProxy's default `max_output_pixels` (4000x4000), the cap for error images when none is set. */
const DEFAULT_MAX_OUTPUT_PIXELS = 4000 * 4000;

const CAPS_TYPES: Readonly<Record<WmsVersion, string>> = {
  '1.0.0': 'text/xml; charset=utf-8',
  '1.1.0': 'application/vnd.ogc.wms_xml',
  '1.1.1': 'application/vnd.ogc.wms_xml',
  '1.3.0': 'text/xml; charset=utf-8',
};

export class WmsService implements Service {
  readonly #options: WmsServiceOptions;
  readonly #layers: ReadonlyMap<string, WmsLayerNode>;
  readonly #versions: readonly WmsVersion[];
  readonly #srs: ReadonlySet<string>;
  /** `bbox_srs` entries with a box, by SRS as written (MapProxy `srs_extents`; a later entry wins). */
  readonly #srsExtents: ReadonlyMap<string, BBox>;
  readonly #renderGate: Gate;
  /** A WMS-C tile's caching: TMS's (no cache headers for an uncacheable tile). */
  readonly #tileCaching: TileCachingOptions;

  constructor(options: WmsServiceOptions) {
    this.#options = options;
    this.#renderGate = new Gate(options.concurrentMaps ?? processCores() + 1);
    this.#tileCaching = {
      maxAgeSeconds: options.maxTileAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      now: options.now ?? Date.now,
      alwaysCacheHeaders: false,
    };
    this.#layers = namedLayers(options.root);
    this.#versions = options.versions?.length ? options.versions : WMS_VERSIONS;
    this.#srs = new Set(options.srs.map((s) => s.toUpperCase()));
    const extents = new Map(options.bboxSrs.map(({ srs, bbox }) => [srs, bbox]));
    this.#srsExtents = new Map(
      [...extents].flatMap(([srs, bbox]) => (bbox === null ? [] : [[srs, bbox] as const])),
    );
  }

  async handle(request: ServiceRequest): Promise<ServiceResponse> {
    const { query } = request;
    const version = negotiateVersion(query.version ?? query.wmtver, this.#versions);
    // the exception context is read from the query only when an exception is drawn: a map that
    // succeeds needs none of it (its size and format parsed again, its format's options resolved)
    const findings: ErrorFindings = { forceXml: false, checkedFormat: null };
    try {
      const type = parseRequestType(query);
      // SRS definitions the request will need, read without blocking the event loop
      await preloadSrsDefinitions([query.srs, query.crs, ...(type === 'capabilities' ? this.#srs : [])]);
      switch (type) {
        case 'capabilities':
          return await this.#capabilities(request, version);
        case 'map':
          return await this.#map(query, version, findings);
        case 'featureinfo':
          return await this.#featureInfo(query, version);
        case 'legendgraphic':
          if (version === '1.1.1' || version === '1.3.0') return await this.#legend(query);
          break;
        case null:
        default:
          break;
      }
      throw new OgcError(
        `unknown WMS request type '${type === null ? 'None' : type}'`,
        'OperationNotSupported',
        {
          locator: 'request',
        },
      );
    } catch (error) {
      const context = { ...this.#exceptionContext(query, version), ...findings };
      if (error instanceof OgcError) {
        // MapProxy renders an unknown request type without a code
        const shown = error.ogcCode === 'OperationNotSupported' ? new OgcError(error.message) : error;
        return renderWmsException(shown, this.#errorContext(context, shown));
      }
      return renderWmsException(toInternalError(error), context);
    }
  }

  /** What an exception needs from the request: version, EXCEPTIONS, and the image parameters. */
  #exceptionContext(query: Readonly<Record<string, string>>, version: WmsVersion): WmsExceptionContext {
    let size: readonly [number, number] | null = null;
    try {
      size = parseSize(query);
    } catch {
      size = null;
    }
    const mime = formatMime(query, version);
    // MapProxy draws an error image in the format the request names, offered or not (its
    // ImageOptions of FORMAT: PIL writes GIF, TIFF, WebP alike) and answers with FORMAT as sent
    // for the content type: a blank GIF where we drew a PNG (corpus differential, seed 23:
    // dimension, inspire). A format nothing writes is drawn as PNG (MapProxy: internal error)
    const writable = formatName(mime) !== null && formatName(mime) !== 'mixed';
    const known =
      this.#options.imageFormats.get(mime) ?? (writable ? resolveImageOptions({ format: mime }) : undefined);
    const options = known ?? this.#pngOptions();
    // an error image is never larger than a map may be (above max_output_pixels, or wider than
    // the format's encoder can write, the XML answers)
    const limit =
      this.#options.maxOutputPixels > 0 ? this.#options.maxOutputPixels : DEFAULT_MAX_OUTPUT_PIXELS;
    const drawable =
      size === null || (size[0] * size[1] <= limit && Math.max(...size) <= maxEncodableSide(options));
    return {
      version,
      exceptions: query.exceptions,
      image: drawable
        ? {
            size,
            // a short name (`gif`) as its mime type: MapProxy's `gif` is no content type
            format:
              known === undefined ? 'image/png' : query.format?.includes('/') ? query.format : known.format,
            options,
            transparent: query.transparent?.toLowerCase() === 'true',
            bgcolor: parseBgcolor(query.bgcolor),
          }
        : null,
    };
  }

  /**
   * The exception context for `error`: XML where the image is too large to draw; a PNG when the
   * format itself was refused (MapProxy's validate_format sets image/png before it raises); the
   * format as read (1.0.0's `PNG` as image/png) for errors after the format check.
   */
  #errorContext(context: ErrorContext, error: OgcError): WmsExceptionContext {
    const image = context.image;
    if (context.forceXml || image === null) return { ...context, image: null };
    if (error.ogcCode === 'InvalidFormat') {
      return { ...context, image: { ...image, format: 'image/png', options: this.#pngOptions() } };
    }
    return context.checkedFormat === null
      ? context
      : { ...context, image: { ...image, format: context.checkedFormat } };
  }

  #pngOptions(): ImageFormatOptions {
    return (
      this.#options.imageFormats.get('image/png') ?? {
        format: 'image/png',
        mode: null,
        colors: 256,
        transparent: false,
        resampling: 'bicubic',
        jpegQuality: 90,
        quantizer: null,
      }
    );
  }

  async #capabilities(request: ServiceRequest, version: WmsVersion): Promise<ServiceResponse> {
    const o = this.#options;
    const legendSizes = version === '1.0.0' ? undefined : await this.#legendSizes();
    // MapProxy lists the types of the featureinfo_xslt stylesheets when no featureinfo_types are set
    const xsltTypes = [...(o.infoXslt?.stylesheets.keys() ?? [])];
    const infoTypes = o.infoTypes ?? (xsltTypes.length > 0 ? xsltTypes : ['text', 'html', 'xml']);
    const body = renderCapabilities({
      version,
      url: request.scriptUrl + request.path.replace(/\/+$/, ''),
      metadata: o.metadata,
      root: o.root,
      // MapProxy lists each format by its mime type (`png8` → `image/png; mode=8bit`), once
      imageFormats: [...new Set([...o.imageFormats.values()].map((f) => f.format))],
      infoFormats: infoTypes.map((t) => infoMime(version, t)),
      srs: o.srs,
      bboxSrs: o.bboxSrs,
      // MapProxy: MaxWidth = MaxHeight = int(sqrt(max_output_pixels)), even for a [w, h] pair
      maxOutputSize:
        o.maxOutputPixels > 0
          ? [Math.floor(Math.sqrt(o.maxOutputPixels)), Math.floor(Math.sqrt(o.maxOutputPixels))]
          : null,
      legendSizes,
      inspire: o.inspire,
      // MapProxy's 1.1.x templates only; 1.0.0 and 1.3.0 show none
      tileSets: isTiled(request.query) && version.startsWith('1.1.') ? this.#tileSets(version) : undefined,
    });
    return { status: 200, contentType: CAPS_TYPES[version], body, cache: NO_CACHE_HEADERS };
  }

  /** MapProxy's `tile_layers` of the WMS: every tile layer, in 1.1.0 with the TMS name of its SRS. */
  #tileSets(version: WmsVersion): WmscTileSet[] {
    // keyed by name and SRS (`name_internal`) in an odict: of two grids of a layer in one SRS the
    // later one is listed, at the earlier one's place
    const byKey = new Map<string, TileLayer>();
    for (const layer of this.#options.tileLayers ?? [])
      byKey.set(`${layer.name}_${srsPathSegment(layer)}`, layer);
    return [...byKey.values()].map((layer) => {
      const info = tmsGridInfo(layer.grid);
      // MapProxy's TileLayer.extent is its grid's box, as the TMS TileMap shows it (not the coverage)
      const [minx, miny, maxx, maxy] = layer.grid.bbox.map(pyFloatRepr);
      return {
        srs: version === '1.1.0' ? info.srsName : layer.grid.srs.code,
        bbox: [minx ?? '', miny ?? '', maxx ?? '', maxy ?? ''],
        resolutions: info.tileSets.map(([, res]) => pyFloatRepr(res)),
        tileSize: layer.grid.tileSize,
        // MapProxy prints the cache's format as configured: `mixed`, where TMS says image/png
        format: layer.configuredFormat ?? layer.format,
        layer: layer.name,
      };
    });
  }

  /** MapProxy `check_map_request`: size limit (XML only), layers, format, SRS, in this order. */
  #checkMap(params: MapParams, queryLayers: readonly string[] = []): void {
    for (const name of [...params.layers, ...queryLayers]) {
      if (!this.#layers.has(name))
        throw new OgcError(`unknown layer: ${name}`, 'LayerNotDefined', { locator: 'layers' });
    }
  }

  #checkFormat(params: MapParams, raw: string | undefined): ImageFormatOptions {
    const options = this.#options.imageFormats.get(params.format);
    if (options === undefined) {
      // MapProxy names a 1.0.0 short name by the mime type it made of it (`GEOTIFF` offered as
      // image/GeoTIFF: image/geotiff), which it does only for an offered format's subtype
      const sent = raw ?? '';
      const converted =
        params.format !== sent &&
        [...this.#options.imageFormats.keys()].some((mime) => mime.split('/')[1]?.toUpperCase() === sent);
      throw new OgcError(`unsupported image format: ${converted ? params.format : sent}`, 'InvalidFormat', {
        locator: 'format',
      });
    }
    return options;
  }

  #checkSrs(params: MapParams, version: WmsVersion): void {
    if (!this.#srs.has(params.srsCode.toUpperCase())) throw srsError(params.srsCode, version);
  }

  async #map(
    query: Readonly<Record<string, string>>,
    version: WmsVersion,
    context: ErrorFindings,
  ): Promise<ServiceResponse> {
    const params = parseMapRequest(query, version);
    const max = this.#options.maxOutputPixels;
    if (max > 0 && params.size[0] * params.size[1] > max) {
      context.forceXml = true;
      throw new OgcError('image size too large', 'NoApplicableCode', { locator: 'width' });
    }
    this.#checkMap(params);
    const options = this.#checkFormat(params, query.format);
    context.checkedFormat = params.format;
    const maxSide = maxEncodableSide(options);
    if (Math.max(...params.size) > maxSide) {
      context.forceXml = true;
      throw new OgcError(
        `image size too large for ${options.format} (at most ${maxSide} pixels a side)`,
        'NoApplicableCode',
        {
          locator: 'width',
        },
      );
    }
    this.#checkSrs(params, version);
    const srs = requestSrs(params.srsCode, version);
    // MapProxy srs_extents: a `bbox_srs` box of the request's SRS limits what is rendered
    const limit = limitToSrsExtent(params, this.#srsExtents.get(params.srsCode) ?? null);
    if (limit === 'outside') {
      const blank = blankImage(params.size, [...params.bgcolor, params.transparent ? 0 : 255]);
      const encoded = await blank.encode({ ...options, transparent: params.transparent });
      return { status: 200, contentType: options.format, body: encoded.data, cache: NO_CACHE_HEADERS };
    }
    const mapContext = {
      layers: this.#layers,
      onSourceErrors: this.#options.onSourceErrors,
      concurrency: this.#options.concurrentLayerRenderer,
      attribution: isTiled(query) ? null : this.#options.attribution,
      placeInto: limit === null ? undefined : { size: params.size, offset: limit.offset },
      // MapProxy's query limited to a bbox_srs box is a new MapQuery, without tiled_only
      tiledOnly: isTiled(query) && limit === null,
    };
    if (mapContext.tiledOnly) {
      const tile = await storedTileMap(params, srs, mapContext);
      // MapProxy: the tile's cache headers and a conditional answer, as a tile service's, in the
      // requested format's spelling (`img_opts.format.mime_type`: `image/png; mode=8bit` of a png
      // cache); an uncacheable tile's as TMS sends it (docs/differences: MapProxy adds both)
      if (tile !== undefined) return tileResponse(tile, this.#tileCaching, options.format);
    }
    // 64 clients at once would otherwise hold 64 stitched canvases and share two cores among them
    const encoded = await this.#renderGate.run(() =>
      renderMap(
        limit === null ? params : { ...params, bbox: limit.bbox, size: limit.size },
        srs,
        options,
        mapContext,
      ),
    );
    // MapProxy answers with the format's own spelling (`img_opts.format.mime_type`):
    // `image/png; mode=8bit`, `image/GeoTIFF`
    return { status: 200, contentType: options.format, body: encoded.data, cache: NO_CACHE_HEADERS };
  }

  async #featureInfo(query: Readonly<Record<string, string>>, version: WmsVersion): Promise<ServiceResponse> {
    const params = parseInfoRequest(query, version, !this.#options.strict);
    this.#checkMap(params, params.queryLayers);
    if (this.#options.strict) this.#checkFormat(params, query.format);
    this.#checkSrs(params, version);
    const srs = requestSrs(params.srsCode, version);
    // MapProxy's `actual_layers`, keyed by the owning layer's name: a layer named twice in
    // QUERY_LAYERS (or inside a group also named) is queried once, not once per mention (2000
    // mentions fit in a URL: as many upstream requests for one client request)
    const actual = new Map<string | WmsLayerNode, readonly FeatureInfoSource[]>();
    for (const name of params.queryLayers) {
      const node = this.#layers.get(name);
      // MapProxy: a group is queryable when it or a child is, but one with sources of its own
      // is asked through them only (info_layers_for_query of `this`): maybe nothing to ask
      if (node === undefined || !isQueryable(node)) throw new OgcError(`layer ${name} is not queryable`);
      for (const [owner, sources] of infoLayers(node)) actual.set(owner.name ?? owner, sources);
    }
    const docs: FeatureInfoDoc[] = [];
    for (const sources of actual.values()) {
      docs.push(
        ...(await queryFeatureInfo(sources, {
          bbox: params.bbox,
          size: params.size,
          srs,
          pos: params.pos,
          infoFormat: params.infoFormat,
          featureCount: params.featureCount,
          format: query.format === '' ? undefined : query.format,
        })),
      );
    }
    if (docs.length > 0) {
      const out = await featureInfoResponse(docs, params.infoFormat, version, this.#options.infoXslt);
      return {
        status: 200,
        contentType: infoContentType(out.contentType),
        body: out.data,
        cache: NO_CACHE_HEADERS,
      };
    }
    // no source answered (none had the point in its coverage): MapProxy's Response('', mimetype=
    // info_format), its default text/plain without a charset when the request named none
    return {
      status: 200,
      contentType:
        params.infoFormat === undefined || params.infoFormat === ''
          ? 'text/plain'
          : infoContentType(params.infoFormat),
      body: Buffer.alloc(0),
      cache: NO_CACHE_HEADERS,
    };
  }

  async #legend(query: Readonly<Record<string, string>>): Promise<ServiceResponse> {
    checkMissing(
      query,
      ['version', 'request', 'layer', 'format'].filter((k) => this.#options.strict || k !== 'version'),
    );
    const sld = query.sld_version ?? '1.1.0';
    if (sld !== '1.1.0') throw new OgcError(`invalid sld_version ${sld}`);
    const name = query.layer ?? '';
    const node = this.#layers.get(name);
    if (node === undefined)
      throw new OgcError(`unknown layer: ${name}`, 'LayerNotDefined', { locator: 'layer' });
    // a legend is asked for by mime type only (1.1.1 and 1.3.0)
    const mime = query.format || 'image/png';
    const options = this.#options.imageFormats.get(mime);
    if (options === undefined)
      throw new OgcError(`unsupported image format: ${query.format ?? ''}`, 'InvalidFormat', {
        locator: 'format',
      });
    const scale = query.scale === undefined ? null : Number(query.scale);
    let images: ImageResult[];
    try {
      images = await this.#legendImages(node, {
        scale: scale !== null && Number.isFinite(scale) ? scale : null,
        format: mime,
      });
    } catch (error) {
      throw toInternalError(error);
    }
    if (images.length === 0) throw new OgcError(`layer ${name} has no legend graphic`);
    // MapProxy encodes with the format's options, whose `transparent` is unset: a true-colour PNG
    // keeps its alpha, a quantised one (paletted) and JPEG drop it
    const legend = await concatImages(images);
    const encoded = await legend.encode({
      ...options,
      transparent: options.transparent || options.colors <= 0,
    });
    return { status: 200, contentType: mime, body: encoded.data, cache: NO_CACHE };
  }

  /**
   * The legend images of `node`: its own legend sources (its `legendurl` or its sources'), else
   * its children's (MapProxy fails a GetLegendGraphic of a group with an internal error).
   */
  async #legendImages(node: WmsLayerNode, query: LegendQuery): Promise<ImageResult[]> {
    if (node.legendSources.length > 0) {
      const images: ImageResult[] = [];
      for (const source of node.legendSources) images.push(await source.getLegend(query));
      return images;
    }
    if (node.mapLayers.length > 0) return [];
    const images: ImageResult[] = [];
    for (const child of node.children) images.push(...(await this.#legendImages(child, query)));
    return images;
  }

  /**
   * MapProxy `legend_size` for the LegendURL of every layer with a legend: the legend graphic's
   * width and height (legends stacked); each legend source keeps its size once it had a complete answer.
   */
  async #legendSizes(): Promise<ReadonlyMap<string, readonly [number, number]>> {
    const sizes = new Map<string, readonly [number, number]>();
    // one layer after the other, as MapProxy: a source shared by two layers is fetched once and
    // then read from the legend cache
    for (const node of this.#layers.values()) {
      if (node.name === null || node.legendSources.length === 0) continue;
      try {
        // MapProxy `WMSLayer.legend_size`: the widest legend and the sum of their heights
        const each: (readonly [number, number])[] = [];
        for (const source of node.legendSources) each.push(await source.size());
        sizes.set(node.name, [Math.max(...each.map(([w]) => w)), each.reduce((sum, [, h]) => sum + h, 0)]);
      } catch (error) {
        // capabilities still answer, with a 1x1 LegendURL
        log.warn(`legend of layer ${node.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return sizes;
  }
}

/** WMS-C: `TILED=true`, the value in any case (MapProxy). */
function isTiled(query: Readonly<Record<string, string>>): boolean {
  return query.tiled?.toLowerCase() === 'true';
}
