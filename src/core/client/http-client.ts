/**
 * The one outbound HTTP client: pooled keep-alive undici agents (one per TLS setting, one pool per
 * origin inside), MapProxy's `http` options, the request log line and `UpstreamError`s.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Dispatcher, EnvHttpProxyAgent } from 'undici';
import { metrics, VERSION } from '../util/index.js';
import type { CookieJar } from './cookie-jar.js';
import { UpstreamError } from './errors.js';
import { acquireHostSlot } from './host-semaphore.js';
import { logRequest } from './request-log.js';
import { basicAuthorization, splitUrlCredentials } from './url-credentials.js';
import { parseUpstreamUrl } from './wrapped-port.js';

/**
 * Sent on every upstream request. MapProxy sends `MapProxy-<version>`; we name ourselves so that
 * upstream operators can tell the two apart.
 */
export const USER_AGENT = `MapProxy-ts/${VERSION}`;

/** MapProxy `http.client_timeout` default: 60 seconds. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Largest response body read when the caller names no `maxBytes` (feature info, legends,
 * capabilities). MapProxy (urllib) reads any body whole; an upstream sending an endless body held
 * ~4.7 GB in a worker within a 10 s `client_timeout` (the 60 s default takes the machine down).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * `maxBytes` for an image answer of `size` pixels: 16 bytes a pixel (float RGBA, the widest raw
 * form an upstream could send) plus 4 MiB of headers and metadata. A tile's endless answer is
 * dropped after ~5 MB, and many cold requests at once hold no more than their images may need.
 */
export function imageMaxBytes(size: readonly [number, number]): number {
  return size[0] * size[1] * 16 + 4 * 1024 * 1024;
}

/** MapProxy's `http.ssl_ca_certs` / `http.ssl_no_cert_checks`. */
export interface TlsOptions {
  /** Path of a PEM file with the CA certificates to trust instead of the system ones. */
  readonly caCerts?: string | undefined;
  /** Skip certificate verification entirely. */
  readonly noCertChecks?: boolean | undefined;
}

export interface HttpRequestOptions {
  /** Default GET. POST sends `body` (MapProxy posts WMS requests with an `sld_body`). */
  readonly method?: 'GET' | 'POST' | undefined;
  readonly body?: string | Buffer | undefined;
  /** Extra request headers (MapProxy `http.headers`); they win over the defaults. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Whole request including the body; default 60 s. */
  readonly timeoutMs?: number | undefined;
  /** Aborts the request (shutdown, a caller that gave up). */
  readonly signal?: AbortSignal | undefined;
  readonly tls?: TlsOptions | undefined;
  /** Basic-auth credentials for a URL that no longer carries them (they win over `user:pass@`). */
  readonly credentials?: { readonly username: string; readonly password: string | null } | undefined;
  /** At most this many requests in flight to the URL's host:port; 0 = no limit. */
  readonly concurrentRequests?: number | undefined;
  /**
   * `globals.cache.lock_dir`: where the `concurrentRequests` slot files are, so the limit holds
   * across processes; without it, in this process only.
   */
  readonly concurrentRequestsLockDir?: string | undefined;
  /** The configured source this request is for: the `source` label of the upstream metrics. */
  readonly sourceName?: string | undefined;
  /** `http.manage_cookies`: sends the jar's cookies and keeps those the response sets. */
  readonly cookieJar?: CookieJar | undefined;
  /**
   * A body longer than this (by its Content-Length, or as it arrives) fails the request with
   * `UPSTREAM_INTERNAL` and the connection is dropped; default {@link DEFAULT_MAX_RESPONSE_BYTES}.
   */
  readonly maxBytes?: number | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-cased header names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The requested URL without credentials. */
  readonly url: string;
}

/** A pooled agent with the undici `request` that goes with it. */
interface Pooled {
  readonly agent: EnvHttpProxyAgent;
  readonly dispatcher: Dispatcher;
  readonly request: UndiciParts['request'];
  readonly parseURL: UndiciParts['parseURL'];
}

const dispatchers = new Map<string, Promise<Pooled>>();

type Undici = typeof import('undici');

/** The parts of undici this client uses, `request` taking the dispatcher as `this` (its API's own form). */
interface UndiciParts {
  readonly EnvHttpProxyAgent: Undici['EnvHttpProxyAgent'];
  readonly redirect: Undici['interceptors']['redirect'];
  readonly request: (
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ) => Promise<Dispatcher.ResponseData>;
  /** Checks an URL as the top-level `request(url)` does (http(s) only, a valid port, ...). */
  readonly parseURL: (url: URL) => URL;
}

/**
 * undici's agent, redirect interceptor and request API with the first upstream request: ~0.1 s of
 * start-up that `check`, `scales` or a server answering from its cache never need. Required, not
 * imported: from ESM, Node scans a CommonJS entry for named exports first. Not its entry module,
 * which also loads fetch, WebSocket, EventSource, the cache stores and the mocks: a `serve` worker
 * (which loads this at start) held ~4 MB more for them (idle 88.8 -> 85.0 MB; issue 13).
 * What undici still costs: it parses responses with llhttp compiled to WebAssembly, and V8 tiers
 * that parser up with TurboFan after the first responses, taking ~36 MB of compiler memory (malloc)
 * for 0.1-0.3 s in each process (plain node: RSS 70 -> 102 -> 66 MB). Node's own client parses
 * natively: a scratch node:http transport (no proxies or redirects) lowered a fresh worker's peak
 * on cold tiles 148.8 -> 136.3 MB (3 alternating pairs, 8-14 MB lower in each), not yet done.
 */
function loadUndici(): UndiciParts {
  return (undiciParts ??= requireUndiciParts());
}
let undiciParts: UndiciParts | undefined;

function requireUndiciParts(): UndiciParts {
  const require = createRequire(import.meta.url);
  const api = require('undici/lib/api/index.js') as Record<string, unknown> & {
    request: UndiciParts['request'];
  };
  // as undici's entry does: its ProxyAgent (behind http_proxy/https_proxy) tunnels with the
  // dispatchers' `connect`, which comes from this mixin
  Object.assign((require('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype, api);
  return {
    EnvHttpProxyAgent:
      require('undici/lib/dispatcher/env-http-proxy-agent.js') as Undici['EnvHttpProxyAgent'],
    redirect: require('undici/lib/interceptor/redirect.js') as Undici['interceptors']['redirect'],
    request: api.request,
    parseURL: (require('undici/lib/core/util.js') as { parseURL: UndiciParts['parseURL'] }).parseURL,
  };
}

async function dispatcherFor(tls: TlsOptions): Promise<Pooled> {
  const key = JSON.stringify([tls.caCerts ?? null, tls.noCertChecks ?? false]);
  let entry = dispatchers.get(key);
  if (entry === undefined) {
    entry = createDispatcher(tls);
    dispatchers.set(key, entry);
    // a CA file that cannot be read must not poison later attempts
    entry.catch(() => dispatchers.delete(key));
  }
  return entry;
}

async function createDispatcher(tls: TlsOptions): Promise<Pooled> {
  const { EnvHttpProxyAgent, redirect, request, parseURL } = loadUndici();
  const ca = tls.caCerts !== undefined && tls.noCertChecks !== true ? await readFile(tls.caCerts) : undefined;
  const connect = { rejectUnauthorized: tls.noCertChecks !== true, ...(ca === undefined ? {} : { ca }) };
  // EnvHttpProxyAgent honours http_proxy/https_proxy/no_proxy like MapProxy (urllib) does
  const agent = new EnvHttpProxyAgent({ connect, requestTls: connect });
  // urllib follows redirects; so do we
  return { agent, dispatcher: agent.compose(redirect({ maxRedirections: 5 })), request, parseURL };
}

/**
 * Loads undici and builds the default agent now, not with the first upstream request: a `serve`
 * worker does this before it listens. Loading undici took ~0.1 s of CPU, paid by the first cold
 * tile of each fresh worker while the upstream renders (issue 13's cold burst).
 */
export async function preloadHttpClient(): Promise<void> {
  await dispatcherFor({});
}

/** Closes all pooled connections (server shutdown, tests). Later requests open new ones. */
export async function closeHttpClients(): Promise<void> {
  const entries = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.all(
    entries.map(async (entry) => {
      const { agent } = await entry.catch(() => ({ agent: null }));
      await agent?.close();
    }),
  );
}

/** `httpRequest` with GET. */
export async function httpGet(
  url: string,
  options: Omit<HttpRequestOptions, 'method' | 'body'> = {},
): Promise<HttpResponse> {
  return httpRequest(url, { ...options, method: 'GET' });
}

/**
 * Sends one request and reads the whole body. `user:pass@` in `url` becomes an
 * `Authorization: Basic` header and is removed from the URL, the log line and errors.
 * Logs `METHOD URL STATUS SIZE MS` on `mapproxy.source.request`.
 * Rejects with `UpstreamError`: `UPSTREAM_STATUS` for a status >= 400 or 204,
 * `UPSTREAM_TIMEOUT`, `UPSTREAM_CONNECT`, `UPSTREAM_TLS`, `UPSTREAM_INVALID_URL`,
 * `UPSTREAM_ABORTED` (the caller's signal) or `UPSTREAM_INTERNAL` (also for a body larger than
 * `maxBytes`).
 */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const { url: cleanUrl, username, password } = splitUrlCredentials(url);
  const method = options.method ?? 'GET';
  let parsed: URL;
  try {
    parsed = parseUpstreamUrl(cleanUrl);
  } catch (error) {
    throw upstreamError('URL_NOT_CORRECT', cleanUrl, error);
  }
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  const authorization = options.credentials
    ? basicAuthorization(options.credentials.username, options.credentials.password)
    : basicAuthorization(username, password);
  if (authorization !== null) headers.authorization = authorization;
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  // urllib's HTTPCookieProcessor leaves a configured Cookie header alone
  const cookie = options.cookieJar?.headerFor(parsed) ?? null;
  if (cookie !== null && headers.cookie === undefined) headers.cookie = cookie;
  if (method === 'POST' && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }

  // loaded before any timeout starts: loading it is not the upstream being slow
  loadUndici();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = options.concurrentRequests ?? 0;
  let release: (() => Promise<void>) | null = null;
  if (limit > 0) {
    // MapProxy (SemLock) waits up to `client_timeout` for a slot, then starts the request's own
    // `client_timeout`
    const lockTimeout = AbortSignal.timeout(timeoutMs);
    try {
      release = await acquireHostSlot(parsed.host, limit, {
        lockDir: options.concurrentRequestsLockDir,
        signal: options.signal === undefined ? lockTimeout : AbortSignal.any([lockTimeout, options.signal]),
      });
    } catch (error) {
      throw classify(error, cleanUrl, lockTimeout, options.signal);
    }
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);

  const start = performance.now();
  let status: number | null = null;
  let contentLength: string | null = null;
  let logged = false;
  const log = (): void => {
    if (logged) return;
    logged = true;
    const durationMs = performance.now() - start;
    logRequest({ method, url: cleanUrl, status, contentLength, durationMs });
    // failed: no answer, or an HTTP error status (MapProxy's client raises for both)
    metrics.upstreamRequest(options.sourceName ?? 'unknown', durationMs, status === null || status >= 400);
  };
  try {
    const { dispatcher, request, parseURL } = await dispatcherFor(options.tls ?? {});
    // what undici's top-level `request(url, options)` hands its dispatcher
    const url = parseURL(parsed);
    const path = `${url.pathname}${url.search}`;
    const response = await request.call(dispatcher, {
      origin: url.origin,
      path,
      method,
      headers,
      body: options.body,
      signal,
    });
    status = response.statusCode;
    // error responses set cookies too (urllib processes cookies before it raises for the status)
    options.cookieJar?.store(parsed, [response.headers['set-cookie'] ?? []].flat());
    const responseHeaders = flattenHeaders(response.headers);
    contentLength = responseHeaders['content-length'] ?? null;
    if (status >= 400) {
      // MapProxy logs no size for HTTP errors (urllib raises before it sees the response)
      contentLength = null;
      log();
      await response.body.dump().catch(() => undefined);
      throw new UpstreamError(`HTTP Error "${cleanUrl}": ${status}`, 'UPSTREAM_STATUS', {
        url: cleanUrl,
        status,
        summary: 'HTTP Error',
      });
    }
    log();
    if (status === 204) {
      await response.body.dump().catch(() => undefined);
      // MapProxy's text has no URL: 'HTTP Error "204 No Content"'
      throw new UpstreamError('HTTP Error "204 No Content"', 'UPSTREAM_STATUS', {
        url: cleanUrl,
        status,
        summary: 'HTTP Error "204 No Content"',
      });
    }
    const body = await readBody(response.body, options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES, contentLength);
    // undici hands the socket back to the pool just after the body ends; yielding once lets the
    // caller's next request reuse it instead of opening a second connection
    await new Promise((resolve) => setImmediate(resolve));
    return { status, headers: responseHeaders, body, url: cleanUrl };
  } catch (error) {
    log();
    if (error instanceof UpstreamError) throw error;
    throw classify(error, cleanUrl, timeout, options.signal);
  } finally {
    await release?.();
  }
}

/** Thrown by `readBody`; becomes `UPSTREAM_INTERNAL` with this message as its reason. */
class BodyTooLarge extends Error {}

/** The whole body, refused (and its connection dropped) once it is longer than `maxBytes`. */
async function readBody(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  contentLength: string | null,
): Promise<Buffer> {
  const tooLarge = (): BodyTooLarge => {
    body.destroy();
    return new BodyTooLarge(`response body larger than ${maxBytes} bytes`);
  };
  if (contentLength !== null && Number(contentLength) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Python's socket error texts, which MapProxy puts after `No response from URL "…": `. */
const CONNECT_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  ETIMEDOUT: 'timed out',
  UND_ERR_SOCKET: 'Connection reset by peer',
  UND_ERR_CLOSED: 'Connection reset by peer',
};

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR') return code;
  }
  return undefined;
}

function classify(
  error: unknown,
  url: string,
  timeout: AbortSignal,
  callerSignal: AbortSignal | undefined,
): UpstreamError {
  if (callerSignal?.aborted === true) return upstreamError('ABORTED', url, error);
  if (error instanceof BodyTooLarge) return upstreamError('INTERNAL', url, error);
  // MapProxy 1.15 says 'No response from URL "…": timed out' for a connect timeout; a read
  // timeout comes out as 'Internal HTTP error "…": TimeoutError(...)', which we do not copy
  if (timeout.aborted) return upstreamError('TIMEOUT', url, error);
  const code = errorCode(error) ?? '';
  if (
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    code.startsWith('UNABLE_TO') ||
    code.includes('SELF_SIGNED')
  ) {
    return upstreamError('TLS', url, error);
  }
  if (code in CONNECT_REASONS || code.startsWith('UND_ERR_CONNECT'))
    return upstreamError('CONNECT', url, error);
  if (error instanceof TypeError || code === 'UND_ERR_INVALID_ARG')
    return upstreamError('URL_NOT_CORRECT', url, error);
  return upstreamError('INTERNAL', url, error);
}

type Failure = 'TIMEOUT' | 'CONNECT' | 'TLS' | 'URL_NOT_CORRECT' | 'ABORTED' | 'INTERNAL';

function upstreamError(kind: Failure, url: string, cause: unknown): UpstreamError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  switch (kind) {
    case 'TIMEOUT':
      return failure('No response from URL', url, 'timed out', 'UPSTREAM_TIMEOUT', cause);
    case 'CONNECT':
      return failure(
        'No response from URL',
        url,
        CONNECT_REASONS[errorCode(cause) ?? ''] ?? reason,
        'UPSTREAM_CONNECT',
        cause,
      );
    case 'TLS':
      return failure('Could not verify connection to URL', url, reason, 'UPSTREAM_TLS', cause);
    case 'URL_NOT_CORRECT':
      return failure('URL not correct', url, reason, 'UPSTREAM_INVALID_URL', cause);
    case 'ABORTED':
      return failure('No response from URL', url, 'request aborted', 'UPSTREAM_ABORTED', cause);
    case 'INTERNAL':
      return failure('Internal HTTP error', url, reason, 'UPSTREAM_INTERNAL', cause);
  }
}

function failure(
  summary: string,
  url: string,
  reason: string,
  code: UpstreamError['code'],
  cause: unknown,
): UpstreamError {
  // the cause's message may quote the URL; it came from the credential-free URL we sent
  return new UpstreamError(`${summary} "${url}": ${reason}`, code, { url, summary, cause });
}
