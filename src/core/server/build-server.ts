/**
 * The fastify instance: one catch-all route that hands every request to a handler (for one
 * configuration: `handleRequest` with the app current at that moment, so a reload swaps apps
 * between requests). Request bodies are ignored, as MapProxy reads only the query string.
 * What fastify or Node's parser refuse on their own is answered in plain text, never fastify's JSON.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerFactory,
} from 'fastify';
import { getLogger } from '../util/index.js';
import { hostAndPort } from './bind.js';
import { applyClientLimits } from './client-limits.js';
import { fastifyFactory } from './fastify-module.js';
import {
  appOperations,
  handleRequest,
  observeRequests,
  type HandleOptions,
  type HttpReply,
  type HttpRequest,
  type OperationsView,
} from './handle-request.js';
import { RememberedReplies } from './remembered-replies.js';
import type { ServedApp } from '../app/index.js';

/** Answers one framework-free request; never rejects. */
export type RequestHandler = (request: HttpRequest) => Promise<HttpReply>;

const log = getLogger('mapproxy.wsgiapp');
const PLAIN_TEXT = 'text/plain; charset=utf-8';

/** The body of a refusal, in the words of `handleRequest`'s own (`not found`, `internal error`). */
function plainBody(status: number): string {
  return status === 500 ? 'internal error' : (STATUS_CODES[status] ?? 'error').toLowerCase();
}

/** The schema compilers' builder: routes here carry no schemas, so fastify never asks for one. */
function noSchemas(): never {
  throw new Error('routes of this server carry no schemas');
}

/** Node's HTTP parser refused the request (431 for oversized headers): answer as fastify would, in plain text. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // a reset connection has nobody to answer (https://nodejs.org/api/http.html#event-clienterror)
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = plainBody(status);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${PLAIN_TEXT}\r\n` +
        `Content-Length: ${String(Buffer.byteLength(body))}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** A number fastify filled in among its options (its defaults are set before the server is made). */
function numberOption(options: Record<string, unknown>, name: string): number | undefined {
  const value = options[name];
  return typeof value === 'number' ? value : undefined;
}

/**
 * Fastify's own node:http server with `remembered` asked first: a repeat of a remembered URL is
 * answered before fastify's routing. The timeouts are set as fastify sets them on its own server.
 */
function rememberingServer(remembered: RememberedReplies): FastifyServerFactory {
  return (handler, options) => {
    const server = createServer((req, res) => {
      if (!remembered.answer(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = numberOption(options, 'keepAliveTimeout') ?? server.keepAliveTimeout;
    server.requestTimeout = numberOption(options, 'requestTimeout') ?? server.requestTimeout;
    server.setTimeout(numberOption(options, 'connectionTimeout') ?? 0);
    const perSocket = numberOption(options, 'maxRequestsPerSocket') ?? 0;
    if (perSocket > 0) server.maxRequestsPerSocket = perSocket;
    return server;
  };
}

/** Metrics at `/metrics`, always ready: the operator endpoints of a server without settings of its own. */
const DEFAULT_OPERATIONS: OperationsView = { metricsPath: '/metrics', notReady: () => Promise.resolve(null) };

/**
 * Builds (without listening) a server that answers every request through `handle`, whatever the
 * method (MapProxy, a WSGI app, never looks at it) and however malformed the path's escapes.
 * Every request is access-logged and counted, and `operations` places `/metrics` and `/ready`.
 * Replies that may answer repeats are kept in `remembered`, which the server's own listener asks
 * first (whoever passes requests to `routing` instead asks it too).
 */
export function buildHttpServer(
  handle: RequestHandler,
  operations: () => OperationsView = () => DEFAULT_OPERATIONS,
  remembered?: RememberedReplies,
): FastifyInstance {
  const observed = observeRequests(handle, operations);
  const server = fastifyFactory()({
    logger: false,
    // no route has a schema: without builders of our own, fastify builds ajv's and
    // fast-json-stringify's (~70 ms of CPU and ~10 MB a server) for nothing to call
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    exposeHeadRoutes: false,
    bodyLimit: 1024 * 1024,
    // a path fastify cannot decode (`%zz`) still goes to our router, which decodes leniently
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_BAD_URL') void route(request, reply);
      else void answerPlain(reply, error.statusCode ?? 400);
    },
    clientErrorHandler: answerClientError,
    ...(remembered === undefined ? {} : { serverFactory: rememberingServer(remembered) }),
  });
  applyClientLimits(server.server);
  const answerPlain = (reply: FastifyReply, status: number): FastifyReply =>
    reply.code(status).header('Content-Type', PLAIN_TEXT).send(plainBody(status));
  // fastify's own refusals (a body over `bodyLimit`: 413) as plain text; anything else is a bug
  server.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return answerPlain(reply, status);
    log.error(`fatal error for ${request.url}\n${error.stack ?? error.message}`);
    return answerPlain(reply, 500);
  });
  server.setNotFoundHandler((_request, reply) => answerPlain(reply, 404));
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    done(null, undefined);
  });
  async function route(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const result = await observed({
      method: request.method,
      url: request.url,
      headers: request.headers,
      scheme: request.protocol,
      serverAddress: hostAndPort(request.socket.localAddress ?? '127.0.0.1', request.socket.localPort ?? 0),
      remoteAddress: request.socket.remoteAddress,
      httpVersion: request.raw.httpVersion,
    });
    remembered?.remember(request, result);
    await reply
      .code(result.status)
      .headers(result.headers)
      .send(result.status === 304 ? undefined : result.body);
  }
  server.route({ method: server.supportedMethods, url: '/', handler: route });
  server.route({ method: server.supportedMethods, url: '/*', handler: route });
  return server;
}

/** Builds (without listening) a server that asks `currentApp()` for the app of each request. */
export function buildServer(currentApp: () => ServedApp, options: HandleOptions = {}): FastifyInstance {
  return buildHttpServer(
    (request) => handleRequest(currentApp(), request, options),
    () => appOperations(currentApp()),
    new RememberedReplies(),
  );
}
