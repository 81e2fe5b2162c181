/**
 * GetFeatureInfo against a `wms` source (MapProxy `WMSInfoSource`, `wms_opts.featureinfo`), and
 * the fetch of a static legend image.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  createWmsRequestTemplate,
  httpRequest,
  pyQuote,
  type HttpRequestOptions,
  type HttpResponse,
  splitUrlCredentials,
  wmsGetMapUrl,
  type WmsParamValue,
  type WmsVersion,
  type CookieJar,
  type TlsOptions,
} from '../client/index.js';
import { imageFromBytes, type ImageResult } from '../image/index.js';
import { getSrs, type SrsOptions } from '../srs/index.js';
import { SourceError } from './errors.js';
import { placeInfoQuery } from './info-query-transform.js';
import type { FeatureInfoDoc, FeatureInfoSource, InfoQuery } from './info-types.js';
import { toSourceError } from './upstream-errors.js';

export interface WmsInfoSourceOptions {
  readonly name: string;
  readonly req: Readonly<Record<string, WmsParamValue>> & { readonly url: string };
  readonly version?: WmsVersion | undefined;
  readonly supportedSrs?: readonly string[] | undefined;
  /** `globals.srs`: `preferred_src_proj` picks among `supportedSrs`. */
  readonly srs?: SrsOptions | undefined;
  /** `wms_opts.featureinfo_format`: INFO_FORMAT sent upstream instead of the client's. */
  readonly featureInfoFormat?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
  /** `http.ssl_ca_certs` and `ssl_no_cert_checks`, as for the source's map requests. */
  readonly tls?: TlsOptions | undefined;
  /** `http.hide_error_details`; default true. */
  readonly hideErrorDetails?: boolean | undefined;
  /** `http.manage_cookies`: the source's jar, shared with its map requests. */
  readonly cookieJar?: CookieJar | undefined;
  /** Sends the request instead of `httpRequest` (a `mapserver` source: its binary as CGI). */
  readonly transport?: ((url: string, options: HttpRequestOptions) => Promise<HttpResponse>) | undefined;
}

/** Feature info from a WMS source. */
export function createWmsInfoSource(options: WmsInfoSourceOptions): FeatureInfoSource {
  const { url } = splitUrlCredentials(options.req.url);
  const version = options.version ?? '1.1.1';
  const supported = (options.supportedSrs ?? []).map((code) => getSrs(code));
  const reqFormat = options.req.format === undefined ? undefined : String(options.req.format);
  return {
    async getFeatureInfo(query: InfoQuery): Promise<FeatureInfoDoc | null> {
      const { bbox, size, pos, srs } = placeInfoQuery(query, supported, options.srs);
      const template = createWmsRequestTemplate(url, options.req, version);
      const mapUrl = wmsGetMapUrl(template, {
        bbox,
        size,
        srs: srs.code,
        isAxisOrderNE: srs.isAxisOrderNE,
        // MapProxy WMSInfoClient: the source's req.format, else the request's FORMAT, else PNG
        format: reqFormat ?? query.format ?? 'image/png',
        extra: {},
      });
      const info = new URLSearchParams();
      const [xKey, yKey] = version === '1.3.0' ? ['i', 'j'] : ['x', 'y'];
      info.set(xKey, String(pos[0]));
      info.set(yKey, String(pos[1]));
      info.set('query_layers', String(options.req.layers ?? ''));
      const format = options.featureInfoFormat ?? query.infoFormat;
      if (format !== undefined) info.set('info_format', format);
      if (query.featureCount !== undefined) info.set('feature_count', query.featureCount);
      // quoted as MapProxy quotes its query (`query_layers=a,b`, not `a%2Cb`)
      const infoQuery = [...info].map(([key, value]) => `${key}=${pyQuote(value)}`).join('&');
      const requestUrl = `${mapUrl.replace(/([?&])request=GetMap/i, '$1request=GetFeatureInfo')}&${infoQuery}`;
      try {
        const response = await (options.transport ?? httpRequest)(requestUrl, {
          headers: options.headers,
          timeoutMs: options.timeoutMs,
          tls: options.tls,
          credentials: creds(options.req.url),
          cookieJar: options.cookieJar,
        });
        const contentType =
          (response.headers['content-type'] ?? 'text/plain').split(';')[0]?.trim() ?? 'text/plain';
        return { data: response.body, contentType };
      } catch (error) {
        throw toSourceError(error, options.name, options.hideErrorDetails ?? true);
      }
    },
  };
}

/** Fetches a legend image over http(s) or reads a `file://` URL. */
export async function fetchLegend(
  url: string,
  options: {
    readonly name: string;
    readonly headers?: Readonly<Record<string, string>> | undefined;
    readonly timeoutMs?: number | undefined;
  },
): Promise<ImageResult> {
  try {
    if (url.startsWith('file://')) return imageFromBytes(await readFile(fileURLToPath(url)));
    const response = await httpRequest(url, {
      headers: options.headers,
      timeoutMs: options.timeoutMs,
      credentials: creds(url),
    });
    const contentType = response.headers['content-type'] ?? '';
    if (!contentType.startsWith('image/')) {
      throw new SourceError(`no image returned from legend source: ${url}`, 'SOURCE_NOT_IMAGE', {
        sourceName: options.name,
      });
    }
    return imageFromBytes(response.body);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw toSourceError(error, options.name, true);
  }
}

function creds(url: string): { username: string; password: string | null } | undefined {
  const { username, password } = splitUrlCredentials(url);
  return username === null ? undefined : { username, password };
}
