/**
 * What the server needs from a built configuration: the services by first path segment and
 * the response policy. `app/` produces it; the server never looks inside a service.
 */
import type { Service } from '../service/index.js';

export interface ServedApp {
  /**
   * Services by the first path segment they answer under: `service`, `ows` and `wms` (the OWS
   * dispatcher), `tms`, `tiles`, `kml`, `wmts`, `demo`. A missing segment is a 404.
   */
  readonly routes: Readonly<Record<string, Service>>;
  /** `globals.http.access_control_allow_origin`; empty disables the header. */
  readonly accessControlAllowOrigin: string;
  /** Whether the welcome page links the demo. */
  readonly hasDemo: boolean;
  /** `globals.metrics` and what `/ready` checks; absent: metrics at `/metrics`, nothing to check. */
  readonly operations?: OperationsSettings;
}

/** Our own keys for operators (not MapProxy's): the metrics endpoint and the readiness check. */
export interface OperationsSettings {
  /** `globals.metrics.path` (default `/metrics`), or null when `globals.metrics.enabled` is false. */
  readonly metricsPath: string | null;
  /** `globals.cache.base_dir` (absolute): `/ready` answers 503 while it cannot be written. */
  readonly cacheDir: string;
}

/** A built configuration plus every file it was read from, for reloaders. */
export interface LoadedApp {
  readonly app: ServedApp;
  /** Absolute paths of the config file and its `base:` files. */
  readonly files: readonly string[];
  /** Releases the caches' connections and files once the app is replaced or stopped. */
  readonly close?: () => Promise<void>;
}

/** Builds a ServedApp from a configuration file; rejects with the config's errors. */
export type AppLoader = (configFile: string) => Promise<LoadedApp>;
