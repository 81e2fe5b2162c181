/**
 * `type: arcgis` sources (MapProxy `source/arcgis.py`): a WMS source whose requests go to an
 * ArcGIS REST `export`/`exportImage` endpoint, and its `identify` feature info.
 */
import {
  arcgisExportUrl,
  arcgisIdentifyUrl,
  httpRequest,
  splitUrlCredentials,
  type CookieJar,
  type TlsOptions,
  type WmsParamValue,
} from '../client/index.js';
import { getSrs, type SrsOptions } from '../srs/index.js';
import { placeInfoQuery } from './info-query-transform.js';
import type { FeatureInfoDoc, FeatureInfoSource, InfoQuery } from './info-types.js';
import type { MapSource } from './types.js';
import { toSourceError } from './upstream-errors.js';
import { createWmsSource, type WmsSourceOptions } from './wms-source.js';

export type ArcgisSourceOptions = Omit<WmsSourceOptions, 'mapUrl' | 'version' | 'forwardReqParams'>;

/**
 * An ArcGIS export source: everything a WMS source does (reprojection to `supported_srs`,
 * coverage, resolution range, `on_error`), with the REST export URL. MapProxy's ArcGIS client
 * never combines requests of two sources, so neither does this one.
 */
export function createArcgisSource(options: ArcgisSourceOptions): MapSource {
  const { url } = splitUrlCredentials(options.req.url);
  const wms = createWmsSource({
    ...options,
    // MapProxy's ArcGIS client always sends GET
    http: { ...options.http, method: 'GET' },
    mapUrl: (params) => arcgisExportUrl(url, options.req, params),
  });
  // everything but `combinedWith`; MapProxy's ArcGISSource is a WMSSource, `is_opaque` included
  // (it hides the layers below an opaque one in a GetMap)
  return {
    name: wms.name,
    isTransparent: wms.isTransparent,
    tileGrid: wms.tileGrid,
    opacity: wms.opacity ?? null,
    isOpaqueFor: (query) => wms.isOpaqueFor?.(query) ?? false,
    getMap: (query, getMapOptions) => wms.getMap(query, getMapOptions),
  };
}

export interface ArcgisInfoSourceOptions {
  readonly name: string;
  readonly req: Readonly<Record<string, WmsParamValue>> & { readonly url: string };
  readonly supportedSrs?: readonly string[] | undefined;
  /** `globals.srs`: `preferred_src_proj` picks among `supportedSrs`. */
  readonly srs?: SrsOptions | undefined;
  /** `opts.featureinfo_tolerance`; MapProxy's default 5 pixels. */
  readonly tolerance?: number | undefined;
  /** `opts.featureinfo_return_geometries`; default false. */
  readonly returnGeometries?: boolean | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
  /** `http.ssl_ca_certs` and `ssl_no_cert_checks`, as for the source's export requests. */
  readonly tls?: TlsOptions | undefined;
  /** `http.hide_error_details`; default true. */
  readonly hideErrorDetails?: boolean | undefined;
  readonly cookieJar?: CookieJar | undefined;
}

/**
 * Feature info from ArcGIS `identify` (MapProxy `ArcGISInfoClient`). The answer is passed on
 * as the client's INFO_FORMAT, whatever type the server declares (ArcGIS says text/plain for
 * JSON). Rejects with `SourceError` when the server fails.
 */
export function createArcgisInfoSource(options: ArcgisInfoSourceOptions): FeatureInfoSource {
  const { url, username, password } = splitUrlCredentials(options.req.url);
  const supported = (options.supportedSrs ?? []).map((code) => getSrs(code));
  return {
    async getFeatureInfo(query: InfoQuery): Promise<FeatureInfoDoc | null> {
      const placed = placeInfoQuery(query, supported, options.srs);
      // MapProxy's WMS service gives every info query a format; text/plain is its default
      const infoFormat = query.infoFormat ?? 'text/plain';
      const requestUrl = arcgisIdentifyUrl(url, options.req, {
        ...placed,
        srs: placed.srs.code,
        infoFormat,
        tolerance: options.tolerance ?? 5,
        returnGeometries: options.returnGeometries ?? false,
      });
      try {
        const response = await httpRequest(requestUrl, {
          headers: options.headers,
          timeoutMs: options.timeoutMs,
          tls: options.tls,
          credentials: username === null ? undefined : { username, password },
          cookieJar: options.cookieJar,
          sourceName: options.name,
        });
        return { data: response.body, contentType: infoFormat.split(';')[0]?.trim() ?? infoFormat };
      } catch (error) {
        throw toSourceError(error, options.name, options.hideErrorDetails ?? true);
      }
    },
  };
}
