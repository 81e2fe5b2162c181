/**
 * `makeApp`, our `make_wsgi_app`: one configuration as a plain Node request handler that can be
 * mounted in node:http, express or fastify. Built on the same fastify routing as the dev server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadServedApp, type AppLoader } from '../app/index.js';
import { buildHttpServer } from './build-server.js';
import { appOperations, handleRequest } from './handle-request.js';
import { loadReloadableApp } from './reloadable-app.js';
import { RememberedReplies } from './remembered-replies.js';

export interface MakeAppOptions {
  /** Check the modification times of the config and its `base:` files on every request and rebuild on change. */
  readonly reloader?: boolean;
  /** Error details in 500 bodies. */
  readonly debug?: boolean;
  /** Replaces the composition root (tests). */
  readonly loadApp?: AppLoader;
  /** Load what the first requests need before answering any (see `LoadServedAppOptions`). */
  readonly warmUp?: boolean;
}

/** A Node request handler serving one configuration; `close()` releases it. */
export interface MapProxyApplication {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Absolute paths of the files the current configuration was read from. */
  readonly configFiles: () => readonly string[];
  close(): Promise<void>;
}

/**
 * Loads `configFile` and returns its request handler. Requests see the proxy headers
 * (`X-Script-Name`, `X-Forwarded-Host`, `X-Forwarded-Proto`) as MapProxy reads them.
 * Rejects with `ConfigErrors`/`ConfigError` when the configuration is broken.
 */
export async function makeApp(configFile: string, options: MakeAppOptions = {}): Promise<MapProxyApplication> {
  const loadApp: AppLoader = options.loadApp ?? ((file) => loadServedApp(file, { warmUp: options.warmUp === true }));
  const app = await loadReloadableApp(configFile, loadApp);
  const handleOptions = { debug: options.debug === true };
  // with the reloader every request must look at the configuration files first
  const remembered = options.reloader === true ? undefined : new RememberedReplies();
  const server = buildHttpServer(
    async (request) => {
      if (options.reloader === true) await app.refresh();
      return handleRequest(app.current(), request, handleOptions);
    },
    () => appOperations(app.current()),
    remembered,
  );
  await server.ready();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (remembered?.answer(req, res) !== true) server.routing(req, res);
  };
  return Object.assign(handler, {
    configFiles: () => app.files(),
    close: async () => {
      await server.close();
      await app.close();
    },
  });
}
