/**
 * Legend sources as MapProxy 1.15 has them (`source/wms.py` `WMSLegendSource`, `client/wms.py`
 * `WMSLegendClient`/`WMSLegendURLClient`): a GetLegendGraphic per layer of a WMS source's
 * `req.layers`, or one static `legendurl`; their images stacked into one legend, kept in the legend
 * cache per scale (a static legend once for every scale).
 */
import {
  httpRequest,
  type CookieJar,
  type HttpRequestOptions,
  type HttpResponse,
  splitUrlCredentials,
  wmsLegendUrl,
  type WmsParamValue,
  type TlsOptions,
  type WmsVersion,
} from '../client/index.js';
import { concatImages, imageFromBytes, type ImageFormatOptions, type ImageResult } from '../image/index.js';
import { getLogger, type Size } from '../util/index.js';
import { SourceError } from './errors.js';
import type { LegendQuery, LegendSource } from './info-types.js';
import type { LegendStore } from './legend-store.js';
import { fetchLegend } from './wms-info-source.js';
import { toSourceError } from './upstream-errors.js';

const log = getLogger('mapproxy.source.wms');

/**
 * Largest legend image taken from a client, in pixels (MapProxy's default `max_output_pixels`).
 * A legend's size is not known before it comes; a 16000x16000 PNG of 750 kB was stored, listed in
 * the capabilities and decoded for every JPEG GetLegendGraphic (2.7 GB, 10 s of CPU each).
 */
const LEGEND_MAX_PIXELS = 4000 * 4000;

/** One legend image of a legend source. */
export interface LegendClient {
  /** MapProxy's `identifier`: the URL (without credentials for GetLegendGraphic) and the layer. */
  readonly identifier: readonly [url: string, layer: string | null];
  /** Rejects with `SourceError`. */
  fetch(query: LegendQuery): Promise<ImageResult>;
}

interface HttpOptions {
  readonly name: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
}

/** A WMS source's own `http` options its GetLegendGraphic requests share with its map requests. */
interface SourceHttpOptions extends HttpOptions {
  /** `http.ssl_ca_certs` and `ssl_no_cert_checks`. */
  readonly tls?: TlsOptions | undefined;
  /** `http.manage_cookies`: the source's jar. */
  readonly cookieJar?: CookieJar | undefined;
}

/** The GetLegendGraphic clients of a WMS source: one per layer of `req.layers`, in order. */
export function wmsLegendClients(
  options: SourceHttpOptions & {
    readonly req: Readonly<Record<string, WmsParamValue>> & { readonly url: string };
    readonly version?: WmsVersion | undefined;
    /** Sends the request instead of `httpRequest` (a `mapserver` source: its binary as CGI). */
    readonly transport?: ((url: string, options: HttpRequestOptions) => Promise<HttpResponse>) | undefined;
  },
): LegendClient[] {
  const { url, username, password } = splitUrlCredentials(options.req.url);
  const credentials = username === null ? undefined : { username, password };
  return String(options.req.layers ?? '')
    .split(',')
    .map((layer) => ({
      identifier: [url, layer] as const,
      async fetch(query: LegendQuery): Promise<ImageResult> {
        const requestUrl = wmsLegendUrl(url, options.req, options.version ?? '1.1.1', { layer, ...query });
        try {
          const response = await (options.transport ?? httpRequest)(requestUrl, {
            headers: options.headers,
            timeoutMs: options.timeoutMs,
            tls: options.tls,
            credentials,
            cookieJar: options.cookieJar,
          });
          if (!(response.headers['content-type'] ?? 'image/').startsWith('image/')) {
            throw new SourceError('no image returned from source WMS', 'SOURCE_NOT_IMAGE', {
              sourceName: options.name,
            });
          }
          return imageFromBytes(response.body);
        } catch (error) {
          if (error instanceof SourceError) throw error;
          throw toSourceError(error, options.name, true);
        }
      },
    }));
}

/** The client of a static `legendurl` (http(s) or an absolute `file://` URL). */
export function staticLegendClient(url: string, options: HttpOptions): LegendClient {
  return { identifier: [url, null], fetch: () => fetchLegend(url, options) };
}

export interface LegendSourceOptions {
  readonly clients: readonly LegendClient[];
  readonly store: LegendStore;
  /** A static `legendurl`: stored once, whatever the scale. */
  readonly isStatic: boolean;
  /** How a legend is stored: `image/png` with `globals.image`'s palette rule (MapProxy `LegendCache`). */
  readonly storeOptions: ImageFormatOptions;
}

/**
 * A legend source: the stored legend of the query's scale, else its clients' images stacked
 * (MapProxy `concat_legends`: the first at the bottom) and stored as PNG unless a client failed.
 * A failing client is logged and left out; with none left the legend is 1x1 transparent.
 */
export function createLegendSource(options: LegendSourceOptions): LegendSource {
  const identifier = options.clients.map(({ identifier: [url, layer] }) => url + (layer ?? '')).join('');
  let size: Size | null = null;

  async function legend(query: LegendQuery): Promise<{ image: ImageResult; isComplete: boolean }> {
    const scale = options.isStatic ? null : query.scale;
    const stored = await load(scale);
    if (stored !== null) return { image: stored, isComplete: true };
    const images: ImageResult[] = [];
    let isComplete = true;
    for (const client of options.clients) {
      try {
        const image = await client.fetch(query);
        const [width, height] = image.size;
        if (width * height > LEGEND_MAX_PIXELS) {
          isComplete = false;
          log.error(
            `legend of ${width}x${height} pixels from ${client.identifier[0]} left out: larger than ${LEGEND_MAX_PIXELS} pixels`,
          );
          continue;
        }
        images.push(image);
      } catch (error) {
        isComplete = false;
        log.error(error instanceof Error ? error.message : String(error));
      }
    }
    if (images.length === 0) return { image: await concatImages([]), isComplete };
    // later requests get the legend as stored (MapProxy encodes it once for the cache)
    const png = await (await concatImages(images)).encode(options.storeOptions);
    if (isComplete) {
      await options.store.store(identifier, scale, png.data).catch((error: unknown) => {
        log.warn(`cannot store legend: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return { image: imageFromBytes(png.data), isComplete };
  }

  async function load(scale: number | null): Promise<ImageResult | null> {
    try {
      const data = await options.store.load(identifier, scale);
      return data === null ? null : imageFromBytes(data);
    } catch (error) {
      log.warn(`cannot read stored legend: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  return {
    async getLegend(query) {
      return (await legend(query)).image;
    },
    async size() {
      if (size !== null) return size;
      const { image, isComplete } = await legend({ scale: null, format: 'image/png' });
      // MapProxy keeps the first size for good; a legend with a failed client is asked again
      if (isComplete) size = image.size;
      return image.size;
    },
  };
}
