/**
 * One HTTP request through a ServedApp: route by the first path segment, call the service,
 * and turn its ServiceResponse into status, headers and body with MapProxy's header rules.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceRequest, ServiceResponse } from '../service/index.js';
import { escapeXml, getLogger, VERSION } from '../util/index.js';
import { cacheHeaders, isNotModified } from './http-cache.js';
import { publicUrl } from './public-url.js';
import { parseQuery } from './query.js';
import type { ServedApp } from '../app/index.js';

export interface HttpRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/tms/1.0.0/?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly scheme: string;
  readonly serverAddress: string;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

export interface HandleOptions {
  /** Put error details into 500 bodies (`serve-develop --debug`). */
  readonly debug?: boolean;
}

const log = getLogger('mapproxy.wsgiapp');

/** Answers one request. Never rejects: unexpected errors become a logged `500 internal error`. */
export async function handleRequest(
  app: ServedApp,
  request: HttpRequest,
  options: HandleOptions = {},
): Promise<HttpReply> {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const search = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const { scriptUrl, path } = publicUrl({ ...request, rawPath });
  const segment = /^\/([^/]*)/.exec(path)?.[1] ?? '';

  let response: ServiceResponse;
  if (segment === '') {
    response = welcomePage(app, scriptUrl);
  } else {
    const service = Object.hasOwn(app.routes, segment) ? app.routes[segment] : undefined;
    if (service === undefined) {
      response = {
        status: 404,
        contentType: 'text/plain; charset=utf-8',
        body: 'not found',
        cache: { kind: 'none' },
      };
    } else {
      const serviceRequest: ServiceRequest = {
        method: request.method,
        path,
        query: parseQuery(search),
        headers: lowerCaseHeaders(request.headers),
        scriptUrl,
      };
      try {
        response = await service.handle(serviceRequest);
      } catch (err) {
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log.error(`fatal error in ${segment} for ${request.url}\n${detail}`);
        const body = options.debug === true ? `internal error\n\n${detail}` : 'internal error';
        response = { status: 500, contentType: 'text/plain; charset=utf-8', body, cache: { kind: 'none' } };
      }
    }
  }
  return toReply(app, request, response);
}

function toReply(app: ServedApp, request: HttpRequest, response: ServiceResponse): HttpReply {
  const headers: Record<string, string> = {
    'Content-Type': response.contentType,
    ...cacheHeaders(response.cache, response.body),
    ...response.headers,
  };
  // capabilities and exceptions depend on the proxy headers: tell caches (MapProxy response.py)
  if (/^(text|application)\//.test(response.contentType)) {
    headers.Vary = 'X-Script-Name, X-Forwarded-Host, X-Forwarded-Proto';
  }
  if (app.accessControlAllowOrigin !== '')
    headers['Access-Control-Allow-Origin'] = app.accessControlAllowOrigin;

  const ifNoneMatch = firstHeader(request.headers['if-none-match']);
  const ifModifiedSince = firstHeader(request.headers['if-modified-since']);
  if (response.status === 200 && isNotModified(response.cache, headers.ETag, ifNoneMatch, ifModifiedSince)) {
    delete headers['Content-Type'];
    return { status: 304, headers, body: '' };
  }
  return { status: response.status, headers, body: response.body };
}

function welcomePage(app: ServedApp, scriptUrl: string): ServiceResponse {
  let body = `<html><body><h1>Welcome to MapProxy (mapproxy-ts ${escapeXml(VERSION)})</h1>`;
  if (app.hasDemo) {
    body += `<p>See all configured layers and services at: <a href="${escapeXml(scriptUrl)}/demo/">demo</a>`;
  }
  return { status: 200, contentType: 'text/html; charset=utf-8', body, cache: { kind: 'none' } };
}

function lowerCaseHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = firstHeader(value);
  return out;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
