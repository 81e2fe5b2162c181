/**
 * The `wms` source (MapProxy `source/wms.py` + `client/wms.py`): GetMap requests with the
 * configured `req` parameters, SRS/format negotiation, coverage clipping and reprojection.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import {
  createWmsRequestTemplate,
  hasSldBody,
  httpRequest,
  imageMaxBytes,
  splitUrlCredentials,
  wmsGetMapPost,
  wmsGetMapUrl,
  type HttpRequestOptions,
  type HttpResponse,
  type WmsMapParams,
  type WmsParamValue,
  type WmsRequestTemplate,
  type WmsVersion,
} from '../client/index.js';
import {
  configuredImageOptions,
  makeTransparent,
  pilColorLength,
  withPilColorLength,
  type ImageResult,
  type ResamplingMethod,
} from '../image/index.js';
import { getSrs, preferredSource, type Srs, type SrsOptions } from '../srs/index.js';
import { getLogger, type BBox, type Size } from '../util/index.js';
import { SourceError } from './errors.js';
import { imageFromUpstream, pasteOnTransparent, reprojectImage } from './images.js';
import { fadesOpacity } from './opacity.js';
import type { CommonSourceOptions } from './options.js';
import { createResolutionRange } from './resolution-range.js';
import { onErrorImage, toSourceError } from './upstream-errors.js';
import type { GetMapOptions, MapQuery, MapSource } from './types.js';

const log = getLogger('mapproxy.source.wms');

/** MapProxy's `sources.<name>` keys of `type: wms`. */
export interface WmsSourceOptions extends CommonSourceOptions {
  /**
   * `req`: `url` (required; `user:pass@` becomes Basic auth) and every other key, copied into
   * the query in this order (`layers`, `styles`, `transparent`, `sld`, `sld_body`, vendor keys).
   * `sld: file://<path>` is read (relative to `baseDir`) and sent as `sld_body`.
   */
  readonly req: Readonly<Record<string, WmsParamValue>> & { readonly url: string };
  /** `wms_opts.version`; default 1.1.1. */
  readonly version?: WmsVersion | undefined;
  /**
   * The format MapProxy hands a source from its cache (`params['format']`, the cache's
   * `request_format`/`format`); it also decides where `format` sits in the query.
   */
  readonly requestFormat?: string | undefined;
  /**
   * `image.format`: the format asked of the server whatever `req.format`, the cache or the
   * request names (MapProxy's source `image_opts.format`, which `WMSSource._get_map` sends).
   */
  readonly imageFormat?: string | undefined;
  /**
   * `globals.image.formats`: each name with its `format` (null without one). A `req.format` or
   * cache format that names an entry asks the server for the entry's format (MapProxy
   * `image_opts(format=...)`): `req.format: my_png` sends `format=image/png`.
   */
  readonly namedFormats?: Readonly<Record<string, string | null>> | undefined;
  /** `supported_srs`: SRS codes the server accepts; others are reprojected from one of these. */
  readonly supportedSrs?: readonly string[] | undefined;
  /** `supported_formats`: mime types (or extensions) the server delivers. */
  readonly supportedFormats?: readonly string[] | undefined;
  /** `forward_req_params`: dimension keys of the query to pass on. */
  readonly forwardReqParams?: readonly string[] | undefined;
  /** `concurrent_requests` (or `globals.http.concurrent_requests`); 0 = unlimited. */
  readonly concurrentRequests?: number | undefined;
  /** `globals.cache.lock_dir`: the `concurrentRequests` slot files, shared by all processes. */
  readonly concurrentRequestsLockDir?: string | undefined;
  /** `globals.srs.preferred_src_proj`. */
  readonly srs?: SrsOptions | undefined;
  /**
   * `image.transparent_color`: `[r, g, b]` (or with alpha) made transparent in every answer,
   * after reprojection (MapProxy `make_transparent`); the source then counts as transparent.
   */
  readonly transparentColor?: readonly number[] | undefined;
  /** `image.transparent_color_tolerance` per channel; MapProxy's default 5. */
  readonly transparentColorTolerance?: number | undefined;
  /** `image.opacity` 0-1, see `MapSource.opacity`. */
  readonly opacity?: number | undefined;
  /** How a reprojection to `supportedSrs` resamples (`image.resampling_method`); default bicubic. */
  readonly resampling?: ResamplingMethod | undefined;
  /** Directory relative `sld: file://` paths are resolved against (the config dir). */
  readonly baseDir?: string | undefined;
  /** Builds the GET URL instead of a WMS GetMap (`arcgis` sources: the REST export). */
  readonly mapUrl?: ((params: WmsMapParams) => string) | undefined;
  /**
   * Sends a GET instead of `httpRequest`: a `mapserver` source runs its binary as CGI
   * (`cgiRequest`); rejects with `UpstreamError` as `httpRequest` does.
   */
  readonly transport?: ((url: string, options: HttpRequestOptions) => Promise<HttpResponse>) | undefined;
}

/** MapProxy `params.format`: the type without its parameters, spelled as given (`image/GeoTIFF`). */
function mimeType(format: string): string {
  const base = format.split(';')[0]?.trim() ?? '';
  return base.includes('/') ? base : `image/${base}`;
}

/**
 * MapProxy's source `image_opts.format` (`configuredImageOptions`) for `handed` (`req.format`,
 * else the cache's request format): `image.format`, else the `format` of the
 * `globals.image.formats` entry that `handed` names, else `handed` when it is a mime type.
 * Undefined leaves the query's format (`WMSSource._get_map`): a `req.format: png` names none.
 */
function sourceImageFormat(options: WmsSourceOptions, handed: string | undefined): string | undefined {
  const formats = Object.fromEntries(
    Object.entries(options.namedFormats ?? {}).map(([name, format]) => [
      name,
      format === null ? {} : { format },
    ]),
  );
  const configured = configuredImageOptions(
    { format: handed, image: { format: options.imageFormat } },
    { formats },
  );
  return configured.format ?? undefined;
}

/**
 * Creates a WMS source. Throws `SourceError` (`SOURCE_INVALID_CONFIG`) for a bad
 * `min_res`/`max_res` pair and `SrsError` for an unknown `supported_srs` code.
 */
export function createWmsSource(options: WmsSourceOptions): MapSource {
  const { name } = options;
  const { url } = splitUrlCredentials(options.req.url);
  const version = options.version ?? '1.1.1';
  const resRange = createResolutionRange(name, options);
  const supportedSrs = (options.supportedSrs ?? []).map((code) => getSrs(code));
  const supportedFormats = (options.supportedFormats ?? []).map(mimeType);
  const forward = new Set((options.forwardReqParams ?? []).map((key) => key.toLowerCase()));
  const http = options.http ?? {};
  const hideErrorDetails = http.hideErrorDetails ?? true;
  const coverage = options.coverage ?? null;
  // MapProxy: `req.format` wins over the cache's format, which wins over the query's
  const reqFormat = options.req.format;
  const fixedFormat = typeof reqFormat === 'string' ? reqFormat : options.requestFormat;
  const sourceFormat = sourceImageFormat(options, fixedFormat);

  // the template has the URL without credentials; `httpOptions` passes them to the client
  let template: Promise<WmsRequestTemplate> | null = null;
  const requestTemplate = (): Promise<WmsRequestTemplate> => {
    template ??= buildTemplate(options, url, version, fixedFormat);
    return template;
  };

  async function retrieve(
    query: RequestQuery,
    signal: AbortSignal | undefined,
    decodeLater = false,
  ): Promise<ImageResult> {
    const tpl = await requestTemplate();
    const extra: Record<string, string> = {};
    for (const [key, value] of Object.entries(query.dimensions))
      if (forward.has(key.toLowerCase())) extra[key] = value;
    const params = {
      bbox: query.bbox,
      size: query.size,
      srs: query.srs.code,
      isAxisOrderNE: query.srs.isAxisOrderNE,
      format: query.format,
      extra,
    };
    const method = http.method === 'POST' || (http.method !== 'GET' && hasSldBody(tpl)) ? 'POST' : 'GET';
    const sendOptions = { ...httpOptions(options, signal), maxBytes: imageMaxBytes(query.size) };
    let response: HttpResponse;
    let requestUrl: string;
    if (method === 'POST') {
      const post = wmsGetMapPost(tpl, params);
      requestUrl = post.url;
      response = await httpRequest(post.url, { ...sendOptions, method, body: post.body });
    } else {
      requestUrl = options.mapUrl?.(params) ?? wmsGetMapUrl(tpl, params);
      response = await (options.transport ?? httpRequest)(requestUrl, sendOptions);
    }
    return checkImage(response, requestUrl, query, decodeLater);
  }

  async function checkImage(
    response: HttpResponse,
    requestUrl: string,
    query: RequestQuery,
    decodeLater: boolean,
  ): Promise<ImageResult> {
    const contentType = response.headers['content-type'] ?? 'image/';
    if (!contentType.startsWith('image/')) {
      // MapProxy logs up to 8000 bytes of XML/text exceptions, 100 bytes of anything else
      const limit =
        contentType.startsWith('text/') || contentType.startsWith('application/vnd.ogc') ? 8000 : 100;
      const truncated = response.body.length > limit ? ' [output truncated]' : '';
      const text = response.body.subarray(0, limit).toString('utf8');
      log.warn(`no image returned from source WMS: ${requestUrl}, response was: '${text}'${truncated}`);
      throw new SourceError(`no image returned from source WMS: ${requestUrl}`, 'SOURCE_NOT_IMAGE', {
        sourceName: name,
      });
    }
    const format = contentType === 'image/' ? query.format : mimeType(contentType);
    const origin = `source WMS: ${requestUrl}`;
    // logged like the non-image replies above, also when the caller's decode finds it later
    const warn = (error: SourceError): void => {
      log.warn(error.message);
    };
    try {
      return await imageFromUpstream(
        response.body,
        format,
        { size: query.size, sourceName: name, origin },
        { decodeLater, onLateFailure: warn },
      );
    } catch (error) {
      // logged like the non-image replies above: the getMap handler below logs only HTTP failures
      if (error instanceof SourceError) warn(error);
      throw error;
    }
  }

  /** Requests only the part of `query` inside the coverage and pastes it onto a transparent image. */
  async function subQuery(query: RequestQuery, signal: AbortSignal | undefined): Promise<ImageResult | null> {
    if (coverage === null) return retrieve(query, signal);
    const position = bboxPositionInImage(query.bbox, query.size, coverage.extent(query.srs));
    if (position.size[0] === 0 || position.size[1] === 0) return null;
    const image = await retrieve({ ...query, bbox: position.bbox, size: position.size }, signal);
    return pasteOnTransparent(image, query.size, position.offset);
  }

  async function transformed(
    query: RequestQuery,
    signal: AbortSignal | undefined,
  ): Promise<ImageResult | null> {
    const dstSrs = query.srs;
    const srcSrs = preferredSource(dstSrs, supportedSrs, options.srs);
    const srcBBox = dstSrs.transformBBox(srcSrs, query.bbox);
    const srcSize = reprojectedSize(srcBBox, query.size);
    const srcQuery: RequestQuery = { ...query, bbox: srcBBox, size: srcSize, srs: srcSrs };
    const image =
      coverage !== null && !coverage.contains(srcBBox, srcSrs)
        ? await subQuery(srcQuery, signal)
        : await retrieve(srcQuery, signal);
    if (image === null) return null;
    const reprojected = await reprojectImage(
      image,
      { bbox: srcBBox, srs: srcSrs },
      { bbox: query.bbox, srs: dstSrs, size: query.size },
      options.resampling,
    );
    // MapProxy's ImageTransformer keeps the answer's PIL mode (link_single_color_images names)
    return withPilColorLength(reprojected, pilColorLength(image, isTransparent));
  }

  async function getMapUnchecked(
    query: MapQuery,
    signal: AbortSignal | undefined,
    decodeLater: boolean,
  ): Promise<ImageResult | null> {
    // 1. format: the source's own, else the query's, replaced by the first supported one
    let format = mimeType(sourceFormat ?? query.format);
    const firstFormat = supportedFormats[0];
    if (firstFormat !== undefined && !supportedFormats.includes(format)) format = firstFormat;
    let request: RequestQuery = {
      bbox: query.bbox,
      size: query.size,
      srs: query.srs,
      format,
      dimensions: query.dimensions,
    };
    // 2. SRS: a supported one with the same math keeps its own code (EPSG:900913 vs 3857)
    if (supportedSrs.length > 0) {
      const match = supportedSrs.find((srs) => srs.equals(query.srs));
      if (match === undefined) return transformed(request, signal);
      request = { ...request, srs: match };
    }
    // 3. partly outside the coverage: request only the inside
    if (coverage !== null && !coverage.contains(request.bbox, request.srs)) return subQuery(request, signal);
    // 4. the answer as it came: only then can its decode be left to the caller
    return retrieve(request, signal, decodeLater);
  }

  const { transparentColor } = options;
  const isTransparent =
    transparentColor !== undefined || (options.transparent ?? isTrue(options.req.transparent));
  const opacity = options.opacity ?? null;
  const source: MapSource = {
    name,
    isTransparent,
    tileGrid: null,
    opacity,
    isOpaqueFor(query) {
      if (resRange !== null && !resRange.contains(query.bbox, query.size, query.srs)) return false;
      if (isTransparent || fadesOpacity(opacity)) return false;
      return coverage === null || coverage.contains(query.bbox, query.srs);
    },
    async getMap(query: MapQuery, getMapOptions: GetMapOptions = {}): Promise<ImageResult | null> {
      if (options.seedOnly === true && !query.isSeeding) return null;
      if (resRange !== null && !resRange.contains(query.bbox, query.size, query.srs)) return null;
      if (coverage !== null && !coverage.intersects(query.bbox, query.srs)) return null;
      try {
        // a colour keyed out needs the pixels here
        const decodeLater = getMapOptions.decodeLater === true && transparentColor === undefined;
        const image = await getMapUnchecked(query, getMapOptions.signal, decodeLater);
        // MapProxy keys the colour out of the finished answer (sub-query, reprojected), not of on_error tiles
        if (image === null || transparentColor === undefined) return image;
        return await makeTransparent(image, transparentColor, options.transparentColorTolerance ?? 5);
      } catch (error) {
        const sourceError = toSourceError(error, name, hideErrorDetails);
        if (sourceError instanceof SourceError && sourceError.code === 'SOURCE_HTTP') {
          const image = onErrorImage(options.onError, sourceError.status, query.size);
          if (image !== null) return image;
          const cause = sourceError.cause instanceof Error ? sourceError.cause.message : sourceError.message;
          log.warn(`could not retrieve WMS map: ${cause}`);
        }
        throw sourceError;
      }
    },
    combinedWith(other: MapSource, query: MapQuery): MapSource | null {
      const theirs = WMS_SOURCES.get(other);
      if (theirs === undefined) return null;
      // only sources MapProxy would combine: one it cannot (another coverage) keeps the sources
      // on either side of it apart, also when it is outside its resolution range
      if (!isCombinable(options, theirs, query)) return null;
      // one outside its resolution range draws nothing: the pair is the other alone, so the
      // sources around it still combine (MapProxy combines it too and asks for its layers:
      // docs/differences); the combined source has no range (MapProxy `res_range=None`)
      const inRange = (o: WmsSourceOptions): boolean =>
        createResolutionRange(o.name, o)?.contains(query.bbox, query.size, query.srs) ?? true;
      if (!inRange(theirs)) return source;
      if (!inRange(options)) return other;
      // MapProxy `combined_client`: this request template with the other's layers appended
      return createWmsSource({
        ...options,
        req: { ...options.req, layers: [...layerList(options), ...layerList(theirs)].join(',') },
        minRes: undefined,
        maxRes: undefined,
        minScale: undefined,
        maxScale: undefined,
      });
    },
  };
  WMS_SOURCES.set(source, options);
  return source;
}

/**
 * `source` as one of a cache's sources (MapProxy `source({'format': request_format})`): a WMS
 * source then carries the cache's request format in its request template, so `format` sits right
 * after the `req` keys in every GetMap it sends, as in MapProxy (error messages quote the URL).
 * Other sources, and WMS sources with a `req.format` of their own, come back unchanged.
 */
export function withRequestFormat(source: MapSource, format: string): MapSource {
  const options = WMS_SOURCES.get(source);
  if (options === undefined || options.req.format !== undefined || options.requestFormat === format)
    return source;
  return createWmsSource({ ...options, requestFormat: format });
}

/** The options of every WMS source, to find the sources another one can be combined with. */
const WMS_SOURCES = new WeakMap<MapSource, WmsSourceOptions>();

/**
 * MapProxy `WMSSource._is_compatible` + `WMSClient.combined_client`: the same URL, no opacity,
 * the same supported SRS/formats, transparent colour and coverage, and the same forwarded values.
 * Bbox coverages compare by SRS and bbox (`BBOXCoverage.__eq__`), so two sources configured
 * with equal boxes combine; other coverages only when they are the same object.
 */
function isCombinable(a: WmsSourceOptions, b: WmsSourceOptions, query: MapQuery): boolean {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  return (
    a.req.url === b.req.url &&
    a.opacity === undefined &&
    b.opacity === undefined &&
    a.seedOnly !== true &&
    b.seedOnly !== true &&
    same(a.supportedSrs, b.supportedSrs) &&
    same(a.supportedFormats, b.supportedFormats) &&
    same(a.transparentColor, b.transparentColor) &&
    (a.transparentColorTolerance ?? 5) === (b.transparentColorTolerance ?? 5) &&
    sameCoverage(a.coverage, b.coverage) &&
    same(forwardedValues(a, query), forwardedValues(b, query))
  );
}

function sameCoverage(a: WmsSourceOptions['coverage'], b: WmsSourceOptions['coverage']): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.kind === 'bbox' && b.kind === 'bbox' && a.srs.equals(b.srs) && a.bbox.every((v, i) => v === b.bbox[i])
  );
}

/**
 * MapProxy `WMSMapRequestParams.layers`: the names of `req.layers` split at commas, none without
 * it. So two sources without layers combine into one request with an empty `layers=`, as
 * MapProxy sends it.
 */
function layerList(options: WmsSourceOptions): string[] {
  const { layers } = options.req;
  return layers === undefined ? [] : String(layers).split(',');
}

/** MapProxy `query.dimensions_for_params(fwd_req_params)`: the query's values this source forwards. */
function forwardedValues(options: WmsSourceOptions, query: MapQuery): Record<string, string> {
  const forward = new Set((options.forwardReqParams ?? []).map((key) => key.toLowerCase()));
  const entries = Object.entries(query.dimensions)
    .filter(([key]) => forward.has(key.toLowerCase()))
    .map(([key, value]): [string, string] => [key.toLowerCase(), value]);
  return Object.fromEntries(entries.sort(([x], [y]) => x.localeCompare(y)));
}

/** The per-request values `retrieve` needs; bbox in `srs`, x/y order. */
interface RequestQuery {
  readonly bbox: BBox;
  readonly size: Size;
  readonly srs: Srs;
  readonly format: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

function isTrue(value: WmsParamValue | undefined): boolean {
  return String(value).toLowerCase() === 'true';
}

function httpOptions(options: WmsSourceOptions, signal: AbortSignal | undefined): HttpRequestOptions {
  const http = options.http ?? {};
  const { username, password } = splitUrlCredentials(options.req.url);
  return {
    credentials: username === null ? undefined : { username, password },
    headers: http.headers,
    timeoutMs: http.timeoutMs,
    tls: http.tls,
    signal,
    concurrentRequests: options.concurrentRequests,
    concurrentRequestsLockDir: options.concurrentRequestsLockDir,
    sourceName: options.name,
    cookieJar: http.cookieJar,
  };
}

async function buildTemplate(
  options: WmsSourceOptions,
  url: string,
  version: WmsVersion,
  format: string | undefined,
): Promise<WmsRequestTemplate> {
  const req: Record<string, WmsParamValue> = { ...options.req };
  const sld = req.sld;
  if (typeof sld === 'string' && sld.startsWith('file://')) {
    // MapProxy reads `sld: file://...` once and sends its content as sld_body
    const path = sld.slice('file://'.length);
    const body = await readFile(
      isAbsolute(path) || options.baseDir === undefined ? path : resolvePath(options.baseDir, path),
      'utf8',
    );
    delete req.sld;
    req.sld_body = body;
  }
  return createWmsRequestTemplate(url, req, version, format);
}

/**
 * The source image size for a reprojected request (MapProxy `_get_transformed`): the destination
 * width or height is kept, the other follows the aspect ratio of the source bbox.
 */
export function reprojectedSize(srcBBox: BBox, dstSize: Size): Size {
  const srcWidth = srcBBox[2] - srcBBox[0];
  const srcHeight = srcBBox[3] - srcBBox[1];
  const ratio = srcWidth / srcHeight;
  const xRes = srcWidth / dstSize[0];
  const yRes = srcHeight / dstSize[1];
  return xRes < yRes
    ? [dstSize[0], Math.trunc(dstSize[0] / ratio + 0.5)]
    : [Math.trunc(dstSize[1] * ratio + 0.5), dstSize[1]];
}

/**
 * Where `srcBBox` lies in an image of `size` showing `bbox` (MapProxy `bbox_position_in_image`):
 * the clipped bbox, its pixel size and its top-left offset.
 */
export function bboxPositionInImage(
  bbox: BBox,
  size: Size,
  srcBBox: BBox,
): { readonly size: Size; readonly offset: readonly [number, number]; readonly bbox: BBox } {
  const toPxX = (x: number): number => ((x - bbox[0]) * size[0]) / (bbox[2] - bbox[0]);
  const toPxY = (y: number): number => ((bbox[3] - y) * size[1]) / (bbox[3] - bbox[1]);
  const sub: [number, number, number, number] = [...bbox];
  const offsets = [0, size[1], size[0], 0];
  if (srcBBox[0] > bbox[0]) {
    sub[0] = srcBBox[0];
    offsets[0] = Math.trunc(toPxX(srcBBox[0]));
  }
  if (srcBBox[1] > bbox[1]) {
    sub[1] = srcBBox[1];
    offsets[1] = Math.trunc(toPxY(srcBBox[1]));
  }
  if (srcBBox[2] < bbox[2]) {
    sub[2] = srcBBox[2];
    offsets[2] = Math.trunc(toPxX(srcBBox[2]));
  }
  if (srcBBox[3] < bbox[3]) {
    sub[3] = srcBBox[3];
    offsets[3] = Math.trunc(toPxY(srcBBox[3]));
  }
  const [left = 0, bottom = 0, right = 0, top = 0] = offsets;
  return { size: [Math.abs(right - left), Math.abs(bottom - top)], offset: [left, top], bbox: sub };
}
