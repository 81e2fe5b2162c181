/**
 * The fastify instance: one catch-all route that hands every request to `handleRequest` with
 * the app that is current at that moment (so a reload swaps apps between requests).
 * Request bodies are ignored, as MapProxy reads only the query string.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { handleRequest, type HandleOptions } from './handle-request.js';
import type { ServedApp } from '../app/index.js';

/** Builds (without listening) a server that asks `currentApp()` for the app of each request. */
export function buildServer(currentApp: () => ServedApp, options: HandleOptions = {}): FastifyInstance {
  const server = Fastify({ logger: false, exposeHeadRoutes: false, bodyLimit: 1024 * 1024 });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    done(null, undefined);
  });
  const route = async (request: FastifyRequest, reply: import('fastify').FastifyReply): Promise<void> => {
    const result = await handleRequest(
      currentApp(),
      {
        method: request.method,
        url: request.url,
        headers: request.headers,
        scheme: request.protocol,
        serverAddress: `${request.socket.localAddress ?? '127.0.0.1'}:${String(request.socket.localPort)}`,
      },
      options,
    );
    await reply
      .code(result.status)
      .headers(result.headers)
      .send(result.status === 304 ? undefined : result.body);
  };
  server.route({ method: ['GET', 'HEAD', 'POST'], url: '/', handler: route });
  server.route({ method: ['GET', 'HEAD', 'POST'], url: '/*', handler: route });
  return server;
}
