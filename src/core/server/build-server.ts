/**
 * The fastify instance: one catch-all route that hands every request to a handler (for one
 * configuration: `handleRequest` with the app current at that moment, so a reload swaps apps
 * between requests). Request bodies are ignored, as MapProxy reads only the query string.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { handleRequest, type HandleOptions, type HttpReply, type HttpRequest } from './handle-request.js';
import type { ServedApp } from '../app/index.js';

/** Answers one framework-free request; never rejects. */
export type RequestHandler = (request: HttpRequest) => Promise<HttpReply>;

/** Builds (without listening) a server that answers every GET, HEAD and POST through `handle`. */
export function buildHttpServer(handle: RequestHandler): FastifyInstance {
  const server = Fastify({ logger: false, exposeHeadRoutes: false, bodyLimit: 1024 * 1024 });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    done(null, undefined);
  });
  const route = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await handle({
      method: request.method,
      url: request.url,
      headers: request.headers,
      scheme: request.protocol,
      serverAddress: `${request.socket.localAddress ?? '127.0.0.1'}:${String(request.socket.localPort)}`,
    });
    await reply
      .code(result.status)
      .headers(result.headers)
      .send(result.status === 304 ? undefined : result.body);
  };
  server.route({ method: ['GET', 'HEAD', 'POST'], url: '/', handler: route });
  server.route({ method: ['GET', 'HEAD', 'POST'], url: '/*', handler: route });
  return server;
}

/** Builds (without listening) a server that asks `currentApp()` for the app of each request. */
export function buildServer(currentApp: () => ServedApp, options: HandleOptions = {}): FastifyInstance {
  return buildHttpServer((request) => handleRequest(currentApp(), request, options));
}
