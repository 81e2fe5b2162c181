/**
 * The `http` options of a configured source: its own over `globals.http`. MapProxy builds one
 * HTTP client from them per source (`SourceConfiguration.http_client`) and uses it for the
 * source's map, feature-info and legend requests alike, so all three take them from here.
 */
import { resolve } from 'node:path';
import type { LoadedConfig, SourceConfig } from '../config/index.js';
import type { HttpSourceOptions } from '../source/index.js';
import { sourceCookieJar } from './cookie-jars.js';

type HttpSection = NonNullable<Extract<SourceConfig, { type: 'wms' }>['http']>;

/**
 * Timeout, headers, TLS, `hide_error_details`, `method` and the cookie jar of source `name`
 * (`name:layers` shares the jar of `name`) with its `http` section `own`.
 */
export function sourceHttp(
  loaded: LoadedConfig,
  name: string,
  own: HttpSection | undefined,
): HttpSourceOptions {
  const global = loaded.config.globals.http;
  const merged = { ...global, ...own, headers: { ...global.headers, ...own?.headers } };
  return {
    timeoutMs: merged.client_timeout * 1000,
    headers: merged.headers,
    // MapProxy `get_path`: relative to the configuration's directory (the global one already is)
    tls: {
      caCerts: merged.ssl_ca_certs === undefined ? undefined : resolve(loaded.configDir, merged.ssl_ca_certs),
      noCertChecks: merged.ssl_no_cert_checks,
    },
    hideErrorDetails: merged.hide_error_details,
    method: merged.method.toUpperCase() as HttpSourceOptions['method'],
    cookieJar: sourceCookieJar(loaded, name.split(':')[0] ?? name),
  };
}

/**
 * What a source's feature-info and legend requests take of its `http` options: all but `method`
 * (MapProxy sends those with GET whatever the source's method).
 */
export function infoHttp(http: HttpSourceOptions) {
  const { timeoutMs, headers, tls, hideErrorDetails, cookieJar } = http;
  return { timeoutMs, headers, tls, hideErrorDetails, cookieJar };
}
