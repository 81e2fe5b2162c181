/**
 * Loads a configuration file and builds everything a server needs from it: grids, sources,
 * caches, tile layers and services. Every error names the YAML file, line and key.
 */
import { resolve } from 'node:path';
import { preloadHttpClient, warmHttpParser } from '../client/index.js';
import { loadConfig, type ProxyConfig } from '../config/index.js';
import { warmImageThreads } from '../image/index.js';
import { getLogger, preloadFileLocks } from '../util/index.js';
import { buildProxy } from './build-proxy.js';
import { closeWhenIdle } from './close-when-idle.js';
import type { LoadedApp } from './served-app.js';

const log = getLogger('mapproxy.config');

export interface LoadServedAppOptions {
  /**
   * Load now what the first requests would otherwise load on their path: undici when a source
   * asks an HTTP upstream (and its response parser's optimised code, http-parser-warm-up.ts), the
   * lock module, the image threads (they still exit when idle). A
   * `serve` worker does this before it listens. On a fresh `serve -w 2` in front of MapServer,
   * the first burst of cold tiles cost 0.96-1.08 s of server CPU against 0.13-0.27 s for the
   * same burst on warm workers (issue 13). Not sharp: PNG tiles and 8-bit PNG maps never call it,
   * and a worker that loads it holds 13-26 MB more at its peak (bench/rss-phases.ts, WMS phases);
   * the first JPEG, TIFF or WebP a worker draws loads it then (70-110 ms of CPU, once).
   */
  readonly warmUp?: boolean;
}

/** Source types that never make an HTTP request (the rest ask an upstream server). */
const LOCAL_SOURCE_TYPES: ReadonlySet<string> = new Set(['debug', 'mapserver', 'mapnik']);

function asksHttpUpstreams(config: ProxyConfig): boolean {
  return Object.values(config.sources).some((source) => !LOCAL_SOURCE_TYPES.has(source.type));
}

/** Loads and builds `configFile`. Rejects with `ConfigErrors`/`ConfigError` for a broken config. */
export async function loadServedApp(
  configFile: string,
  options: LoadServedAppOptions = {},
): Promise<LoadedApp> {
  // MapProxy's load_configuration: `reading: /abs/path/mapproxy.yaml` on every (re)load
  log.info(`reading: ${resolve(configFile)}`);
  const start = performance.now();
  const loaded = await loadConfig(configFile);
  const asksHttp = options.warmUp === true && asksHttpUpstreams(loaded.config);
  // first, before the worker builds and loads the rest: the compile's transient (~10 MB of zones
  // and malloc'd memory, freed after it) then stays below where the worker idles, instead of on
  // top of it. A fresh `serve -w 2` worker's VmHWM after 3 s idle: 94.2 (93.4-96.4) -> 84.8
  // (83.7-93.9) MB, that of a worker without the warm-up (26 alternating pairs, MapServer);
  // readiness +23 ms (-1291..+1564, 12 pairs); the cold burst's server CPU -15 (-210..+290) ms,
  // its time +266 (-408..+1675) ms (14 pairs, a machine at load 7-8): within the noise
  if (asksHttp) warmHttpParser();
  const runtime = buildProxy(loaded);
  if (log.isEnabled('debug')) {
    const { config } = loaded;
    log.debug(
      `loaded ${resolve(configFile)} in ${String(Math.round(performance.now() - start))} ms ` +
        `(files: ${loaded.files.join(', ')}; services: ${Object.keys(runtime.served.routes).join(', ') || 'none'}; ` +
        `${String(Object.keys(config.caches).length)} caches, ${String(Object.keys(config.sources).length)} sources)`,
    );
  }
  if (options.warmUp === true)
    await Promise.all([asksHttp ? preloadHttpClient() : undefined, preloadFileLocks(), warmImageThreads()]);
  // a reload closes it while requests may still run on it: they end first
  const { app, close } = closeWhenIdle(runtime.served, () => runtime.close());
  return { app, files: loaded.files, close };
}
