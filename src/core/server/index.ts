/** The HTTP server: fastify, routing by first path segment, proxy headers, HTTP caching, reload. */
export { parseBind, type BindAddress } from './bind.js';
export { ServerError, type ServerErrorCode } from './errors.js';
export { startServer, type StartServerOptions } from './serve-config.js';
export { runServer, type RunServerOptions, type RunningServer, type ReloadOutcome } from './start-server.js';
export { buildServer } from './build-server.js';
export { handleRequest, type HttpRequest, type HttpReply, type HandleOptions } from './handle-request.js';
export { tileETag, parseHttpDate } from './http-cache.js';
export { buildHttpServer, type RequestHandler } from './build-server.js';
export { makeApp, type MakeAppOptions, type MapProxyApplication } from './make-app.js';
export { serve, type ServeOptions } from './cluster/serve.js';
export type { ServeCluster } from './cluster/primary.js';
export {
  makeMultiApp,
  multiAppHandler,
  type MultiAppOptions,
  type MultiMapProxyApplication,
} from './multi-app.js';
export {
  startMultiAppServer,
  type StartMultiAppServerOptions,
  type RunningMultiAppServer,
} from './serve-multi-app.js';
