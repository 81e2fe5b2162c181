/**
 * How long a client may take to send its request, and how long an idle keep-alive connection is
 * kept, on every server we listen with (serve-develop, serve-multiapp-develop, the `serve`
 * workers). Node's own limits (the headers within 60 s, the whole request within 300 s, both
 * checked only every 30 s) let slow clients (slowloris: a header byte now and then) hold a
 * connection for up to 90 s before its request even starts.
 */
import type { Server } from 'node:http';

export interface ClientLimits {
  /** From the connection (or the end of the previous request on it) until the headers are in. */
  readonly headersTimeoutMs: number;
  /** Until the whole request is in; bodies are ignored, so a little more than the headers. */
  readonly requestTimeoutMs: number;
  /** How long a connection waits idle for its next request (default `KEEP_ALIVE_TIMEOUT_MS`). */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * An idle keep-alive connection is kept 72 s, fastify's default, on every server (the `serve`
 * workers had Node's 5 s, serve-develop fastify's 72 s): longer than the idle timeouts of the
 * front servers that pool connections to us (nginx upstream `keepalive_timeout` 60 s, AWS ALB
 * 60 s, Apache mod_proxy's pool), or they send a request on a connection we are closing at that
 * moment and answer their client 502. Browsers keep idle connections longer still (Chrome 300 s)
 * and retry a GET on one closed under them; an idle socket costs a worker a few kB.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * Headers within 20 s, as Apache's mod_reqtimeout allows by default (nginx: 60 s; MapProxy's usual
 * gunicorn sync workers have no limit and are meant to sit behind such a front server). A refused
 * client gets `408 Request Timeout` and the connection closes.
 */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000 };

/** Sets `limits` on `server`; call before it listens (the check's interval is taken then). */
export function applyClientLimits(server: Server, limits: ClientLimits = DEFAULT_CLIENT_LIMITS): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;
  // how often Node looks for expired connections: every 30 s by default, which let a 20 s limit
  // hold a slow client for up to 50 s
  Object.assign(server, { connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) });
}
