/**
 * One HTTP request through a ServedApp: route by the first path segment, call the service,
 * and turn its ServiceResponse into status, headers and body with MapProxy's header rules.
 * `observeRequests` is where every server kind writes the access log, counts requests and
 * answers the operator endpoints (`/metrics`, `/health`, `/ready`).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname } from 'node:path';
import type { ServiceRequest, ServiceResponse } from '../service/index.js';
import {
  ACCESS_LOGGER,
  escapeXml,
  getLogger,
  metrics,
  metricsText,
  METRICS_CONTENT_TYPE,
  VERSION,
  type Freshness,
} from '../util/index.js';
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
  /** The client's address, for the access log. */
  readonly remoteAddress?: string | undefined;
  /** `1.1`, for the access log. */
  readonly httpVersion?: string | undefined;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
  /** The route that answered (`tms`, `service`, ...), the metrics label; default `other`. */
  readonly service?: string | undefined;
  /** While fresh, this reply answers a repeat of the same request (`ServiceResponse.freshness`). */
  readonly freshness?: Freshness | undefined;
}

export interface HandleOptions {
  /** Put error details into 500 bodies (`serve-develop --debug`). */
  readonly debug?: boolean;
}

const log = getLogger('mapproxy.wsgiapp');
const accessLog = getLogger(ACCESS_LOGGER);

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
  let label = 'other';
  if (segment === '') {
    response = welcomePage(app, scriptUrl);
    label = 'root';
  } else {
    const service = Object.hasOwn(app.routes, segment) ? app.routes[segment] : undefined;
    if (service !== undefined) label = segment;
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
  return { ...toReply(app, request, response), service: label };
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
  return { status: response.status, headers, body: response.body, freshness: response.freshness };
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

/** What the operator endpoints need to know about the app that answers now. */
export interface OperationsView {
  /** Path of the Prometheus endpoint, or null when metrics are off. */
  readonly metricsPath: string | null;
  /** Why the server should not get traffic now, or null when it is ready. */
  notReady(): Promise<string | null>;
}

/** The metrics a `/metrics` request answers with: this process's, or (in a `serve` worker) the cluster's. */
let metricsSource: () => Promise<string> = metricsText;

/** Replaces where `/metrics` gets its text (a `serve` worker asks its primary for every worker's sum). */
export function useMetricsSource(source: () => Promise<string>): void {
  metricsSource = source;
}

/**
 * Why `cacheDir` cannot take tiles: it (or, while it does not exist yet, the directory it will be
 * created in) is not writable. null when it is.
 */
export async function cacheDirProblem(cacheDir: string): Promise<string | null> {
  for (let dir = cacheDir; ; dir = dirname(dir)) {
    try {
      await access(dir, constants.W_OK);
      return null;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'ENOENT' || dirname(dir) === dir) return `cache directory ${cacheDir} is not writable`;
    }
  }
}

/** The operations view of a ServedApp: `globals.metrics` and its cache directory. */
export function appOperations(app: ServedApp): OperationsView {
  const settings = app.operations;
  return {
    metricsPath: settings === undefined ? '/metrics' : settings.metricsPath,
    notReady: () => (settings === undefined ? Promise.resolve(null) : cacheDirProblem(settings.cacheDir)),
  };
}

const plain = (status: number, body: string, service: string): HttpReply => ({
  status,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  body,
  service,
});

/**
 * Our own endpoints for load balancers and Prometheus; none shadows a MapProxy URL (MapProxy
 * answers 404 at these paths). null: not one of them, route as usual.
 */
async function operatorReply(path: string, view: OperationsView): Promise<HttpReply | null> {
  if (path === '/health') return plain(200, 'ok\n', 'health');
  if (path === '/ready') {
    const problem = await view.notReady();
    return problem === null ? plain(200, 'ready\n', 'ready') : plain(503, `not ready: ${problem}\n`, 'ready');
  }
  if (view.metricsPath !== null && path === view.metricsPath) {
    try {
      const text = await metricsSource();
      return {
        status: 200,
        headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
        body: text,
        service: 'metrics',
      };
    } catch (error) {
      log.error(`cannot collect metrics: ${error instanceof Error ? error.message : String(error)}`);
      return plain(503, 'metrics unavailable\n', 'metrics');
    }
  }
  return null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** What the access log says about one request. */
export interface AccessEntry {
  readonly remoteAddress: string;
  /** When it was answered, in ms since the epoch. */
  readonly timeMs: number;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** The last second an access line was written in, and its text: one Date a second, not one a line. */
let stampedSecond = Number.NaN;
let stamp = '';

/** `06/Dec/2026 00:09:07` in local time for `timeMs`, worked out once a second. */
function accessTimestamp(timeMs: number): string {
  const second = Math.floor(timeMs / 1000);
  if (second !== stampedSecond) {
    const t = new Date(second * 1000);
    const p = (n: number): string => String(n).padStart(2, '0');
    stamp = `${p(t.getDate())}/${MONTHS[t.getMonth()] ?? ''}/${String(t.getFullYear())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
    stampedSecond = second;
  }
  return stamp;
}

/**
 * werkzeug's request line (MapProxy's development server) plus size and duration:
 * `127.0.0.1 - - [06/Dec/2026 00:09:07] "GET /tms/1.0.0/ HTTP/1.1" 200 1234 3ms`
 * (local time; `-` for an empty body, as werkzeug writes for an unknown size).
 */
export function formatAccessLine(entry: AccessEntry): string {
  const size = entry.bytes > 0 ? String(entry.bytes) : '-';
  return `${entry.remoteAddress} - - [${accessTimestamp(entry.timeMs)}] "${entry.method} ${entry.url} HTTP/${entry.httpVersion}" ${String(entry.status)} ${size} ${String(Math.round(entry.durationMs))}ms`;
}

/** What the access log and the request metrics need of a request that was answered. */
export interface AnsweredRequest {
  readonly method: string;
  readonly url: string;
  readonly remoteAddress?: string | undefined;
  readonly httpVersion?: string | undefined;
}

/**
 * What every server kind does per answered request: one `mapproxy.access` line (INFO) and the
 * request counters, O(1) per request, labelled by route name and status, never by path.
 * The line costs ~0.4 us of a ~30 us cached hit (formatted and batched, in isolation); with no
 * line at all a hit cost the same within noise (paired, 10 rounds: x1.02, 0.79-1.10; issue 13).
 */
export function recordRequest(
  request: AnsweredRequest,
  reply: Pick<HttpReply, 'status' | 'body' | 'service'>,
  durationMs: number,
): void {
  metrics.request(reply.service ?? 'other', reply.status, durationMs);
  if (!accessLog.isEnabled('info')) return;
  const bytes =
    reply.status === 304
      ? 0
      : typeof reply.body === 'string'
        ? Buffer.byteLength(reply.body)
        : reply.body.length;
  accessLog.info(
    formatAccessLine({
      remoteAddress: request.remoteAddress ?? '-',
      timeMs: Date.now(),
      method: request.method,
      url: request.url,
      httpVersion: request.httpVersion ?? '1.1',
      status: reply.status,
      bytes,
      durationMs,
    }),
  );
}

/**
 * Wraps a request handler with what every server kind does per request: the operator
 * endpoints and `recordRequest`.
 */
export function observeRequests(
  handle: (request: HttpRequest) => Promise<HttpReply>,
  operations: () => OperationsView,
): (request: HttpRequest) => Promise<HttpReply> {
  return async (request) => {
    const start = performance.now();
    const queryAt = request.url.indexOf('?');
    const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
    const reply = (await operatorReply(path, operations())) ?? (await handle(request));
    recordRequest(request, reply, performance.now() - start);
    return reply;
  };
}
