/**
 * `type: mapserver` sources as MapProxy 1.15 configures them (`MapServerSourceConfiguration`): a
 * WMS source whose requests run the `mapserv` binary as CGI on `req.map`, no HTTP server between.
 */
import { statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { cgiRequest, type HttpRequestOptions } from '../client/index.js';
import {
  configErrorAt,
  type LoadedConfig,
  type SourceConfig,
  type WmsSourceConfig,
} from '../config/index.js';

/** What a `mapserver` source adds to a WMS source's options. */
export interface MapServerSetup {
  /** The source as a WMS source: `req.url` is `mapserver://<binary>`, `req.map` absolute. */
  readonly source: WmsSourceConfig;
  /** Runs each GetMap through the binary. */
  readonly transport: (url: string, options?: HttpRequestOptions) => ReturnType<typeof cgiRequest>;
}

type MapServerSection = { readonly binary?: string; readonly working_dir?: string } | undefined;

/**
 * Resolves `sources.<name>` of `type: mapserver`: `mapserver.binary` of the source, else of
 * `globals.mapserver`, else `mapserv` on PATH (relative paths against the config's directory),
 * `mapserver.working_dir` the same way (default: the binary's directory), `req.map` relative to
 * the config's directory. Throws `ConfigError` at the key when the binary or the working
 * directory does not exist.
 */
export function mapServerSetup(loaded: LoadedConfig, name: string, source: SourceConfig): MapServerSetup {
  const own = (source as { mapserver?: MapServerSection }).mapserver;
  const global = (loaded.config.globals as { mapserver?: MapServerSection }).mapserver;
  const configured = own?.binary ?? global?.binary;
  const binary = configured === undefined ? findOnPath('mapserv') : resolve(loaded.configDir, configured);
  const binaryPath =
    own?.binary !== undefined ? ['sources', name, 'mapserver', 'binary'] : ['globals', 'mapserver', 'binary'];
  if (binary === null || !isFile(binary)) {
    throw configErrorAt(
      loaded,
      configured === undefined ? ['sources', name, 'type'] : binaryPath,
      `could not find mapserver binary (${binary ?? 'mapserv on PATH'})`,
      'CONFIG_INVALID_VALUE',
    );
  }
  const dir = own?.working_dir ?? global?.working_dir;
  const workingDirectory = dir === undefined ? undefined : resolve(loaded.configDir, dir);
  if (workingDirectory !== undefined && !isDirectory(workingDirectory)) {
    throw configErrorAt(
      loaded,
      own?.working_dir !== undefined
        ? ['sources', name, 'mapserver', 'working_dir']
        : ['globals', 'mapserver', 'working_dir'],
      `could not find mapserver working_dir (${workingDirectory})`,
      'CONFIG_INVALID_VALUE',
    );
  }
  const req = (source as unknown as { req: Readonly<Record<string, unknown>> & { readonly map: string } })
    .req;
  // MapProxy: the URL is a dummy naming the binary (it identifies the source), the mapfile absolute
  const wms = {
    ...(source as unknown as WmsSourceConfig),
    type: 'wms' as const,
    req: { ...req, url: `mapserver://${binary}`, map: resolve(loaded.configDir, req.map) },
  };
  return {
    source: wms,
    transport: (url, options) =>
      cgiRequest(binary, url, {
        workingDirectory,
        signal: options?.signal,
        concurrentRequests: options?.concurrentRequests,
        concurrentRequestsLockDir: options?.concurrentRequestsLockDir,
      }),
  };
}

/** MapProxy `find_exec`: the first `name` in PATH that is a file. */
function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isFile(join(dir, name))) return join(dir, name);
  }
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
