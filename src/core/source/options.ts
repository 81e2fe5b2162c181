/**
 * Option interfaces shared by the sources, mirroring MapProxy's source keys in camelCase
 * (`http`, `coverage`, `min_res`..., `on_error`). `app/` maps the YAML onto them.
 */
import type { Coverage } from '../grid/index.js';
import type { CookieJar, TlsOptions } from '../client/index.js';

/** MapProxy's `http` block (source-level, after merging `globals.http`). */
export interface HttpSourceOptions {
  /** `client_timeout` in ms; default 60 000. */
  readonly timeoutMs?: number | undefined;
  /** `headers`: extra request headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** `ssl_ca_certs` (PEM file path) and `ssl_no_cert_checks`. */
  readonly tls?: TlsOptions | undefined;
  /** `hide_error_details`; default true: clients see `HTTP Error (see logs for URL and reason).`. */
  readonly hideErrorDetails?: boolean | undefined;
  /** `method` (WMS only): AUTO (default) posts only when the request has an `sld_body`. */
  readonly method?: 'AUTO' | 'GET' | 'POST' | undefined;
  /** `manage_cookies`: this source's cookie jar (cookies the upstream sets go back to it). */
  readonly cookieJar?: CookieJar | undefined;
}

/** `min_res`/`max_res` (map units per pixel, metres for degrees: 1° = 111319.49 m) or `min_scale`/`max_scale`. */
export interface ResolutionRangeOptions {
  readonly minRes?: number | undefined;
  readonly maxRes?: number | undefined;
  readonly minScale?: number | undefined;
  readonly maxScale?: number | undefined;
}

/** One `on_error.<status>` entry. */
export interface OnErrorResponse {
  /** RGBA colour of the tile to answer with; MapProxy's `transparent` is `[255, 255, 255, 0]`. */
  readonly color: readonly [number, number, number, number];
  /** `cache`: store the colour tile (default false). */
  readonly cache?: boolean | undefined;
  /** `authorize_stale`: serve a stale cached tile instead, when there is one. */
  readonly authorizeStale?: boolean | undefined;
}

/** `on_error`: keys are HTTP statuses or `other` (any other status, timeouts, connection errors). */
export type OnErrorOptions = Readonly<Partial<Record<number | 'other', OnErrorResponse>>>;

/** Keys every HTTP source (wms, tile) has. */
export interface CommonSourceOptions extends ResolutionRangeOptions {
  /** Config name, for logs and errors. */
  readonly name: string;
  readonly coverage?: Coverage | undefined;
  /** `seed_only`: answer only while seeding (`MapQuery.isSeeding`), else null. */
  readonly seedOnly?: boolean | undefined;
  readonly http?: HttpSourceOptions | undefined;
  readonly onError?: OnErrorOptions | undefined;
  /** `transparent` / `image.transparent`: the source's images have transparent parts. */
  readonly transparent?: boolean | undefined;
}
