/**
 * How long a client may take to send its request, on every server we listen with (serve-develop,
 * serve-multiapp-develop, the `serve` workers). Node's own limits (the headers within 60 s, the
 * whole request within 300 s, both checked only every 30 s) let slow clients (slowloris: a header
 * byte now and then) hold a connection for up to 90 s before its request even starts.
 */
import type { Server } from 'node:http';

export interface ClientLimits {
  /** From the connection (or the end of the previous request on it) until the headers are in. */
  readonly headersTimeoutMs: number;
  /** Until the whole request is in; bodies are ignored, so a little more than the headers. */
  readonly requestTimeoutMs: number;
}

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
  // how often Node looks for expired connections: every 30 s by default, which let a 20 s limit
  // hold a slow client for up to 50 s
  Object.assign(server, { connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) });
}
