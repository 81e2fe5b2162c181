/** The HTTP server: fastify, routing by first path segment, proxy headers, HTTP caching, reload. */
export { parseBind, type BindAddress } from './bind.js';
export { ServerError, type ServerErrorCode } from './errors.js';
export { startServer, type StartServerOptions } from './serve-config.js';
export { runServer, type RunServerOptions, type RunningServer, type ReloadOutcome } from './start-server.js';
export { buildServer } from './build-server.js';
export { handleRequest, type HttpRequest, type HttpReply, type HandleOptions } from './handle-request.js';
export { tileETag, parseHttpDate } from './http-cache.js';
