/**
 * A mock upstream (WMS / tile server) on 127.0.0.1, port 0: records requests, answers from routes
 * and expectations, and fails the test on unexpected or missing requests (checked in `t.after`).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import sharp from 'sharp';
import { atTestEnd } from './test-end.js';

/** One request as the upstream saw it. */
export interface UpstreamRequest {
  readonly method: string;
  /** Path plus query, exactly as sent (`/wms?layers=a&...`). */
  readonly path: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer. Defaults: status 200, content type from `body` (PNG/JPEG sniffed, else text/plain). */
export interface UpstreamReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Never answer (until the server closes): for timeouts. */
  readonly hang?: boolean;
}

/** A reply, bytes to send with status 200, or a function (may wait on a promise before answering). */
export type UpstreamHandler =
  | UpstreamReply
  | Buffer
  | ((request: UpstreamRequest) => UpstreamReply | Buffer | Promise<UpstreamReply | Buffer>);

/** An exact path (with query) or a predicate; see `wmsQuery` for bbox-tolerant WMS matching. */
export type RequestMatcher = string | ((request: UpstreamRequest) => boolean);

export interface Upstream {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly UpstreamRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as 1). */
  readonly connections: number;
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /**
   * Requires a request matching `matcher` exactly `times` times (default 1); answered with
   * `reply`. Unmet expectations fail the test when it ends. Expectations are tried before routes.
   */
  expect(matcher: RequestMatcher, reply: UpstreamHandler, options?: { times?: number }): Upstream;
  /** Requests whose path (with query, or without when `path` has no `?`) equals `path`. */
  count(path: string): number;
  /** Fails now (instead of at the end) on unexpected requests or unmet expectations. */
  verify(): void;
  /** Resolves when `n` requests have arrived (for tests that must wait for the upstream). */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

interface Expectation {
  readonly matcher: RequestMatcher;
  readonly reply: UpstreamHandler;
  readonly times: number;
  seen: number;
}

function matches(matcher: RequestMatcher, request: UpstreamRequest): boolean {
  return typeof matcher === 'string' ? matcher === request.path : matcher(request);
}

function sniffType(body: Buffer | string): string {
  if (typeof body === 'string') return 'text/plain';
  if (body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (body[0] === 0xff && body[1] === 0xd8) return 'image/jpeg';
  return 'application/octet-stream';
}

function send(res: ServerResponse, reply: UpstreamReply | Buffer): void {
  const normalised: UpstreamReply = Buffer.isBuffer(reply) ? { body: reply } : reply;
  if (normalised.hang === true) return;
  const body = normalised.body ?? '';
  const headers: Record<string, string> = { 'content-type': sniffType(body), ...normalised.headers };
  headers['content-length'] ??= String(Buffer.byteLength(body));
  res.writeHead(normalised.status ?? 200, headers);
  res.end(body);
}

/**
 * Starts an upstream. `routes` answer any number of requests by exact path (with query) or by
 * pathname (when the key has no `?`); use `expect()` for requests that must happen. A request
 * that matches nothing gets a 599 reply and fails the test at its end.
 */
export async function startUpstream(
  t: TestContext,
  routes: Readonly<Record<string, UpstreamHandler>> = {},
): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const unexpected: string[] = [];
  const expectations: Expectation[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const parsed = new URL(path, 'http://upstream');
      const request: UpstreamRequest = {
        method: req.method ?? 'GET',
        path,
        pathname: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => {
        inFlight -= 1;
      });
      for (const waiter of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const expectation = expectations.find((e) => e.seen < e.times && matches(e.matcher, request));
      const handler = expectation?.reply ?? routes[path] ?? routes[request.pathname];
      if (expectation !== undefined) expectation.seen += 1;
      if (handler === undefined) {
        unexpected.push(`${request.method} ${path}`);
        send(res, { status: 599, body: `unexpected request ${path}` });
        return;
      }
      void Promise.resolve(typeof handler === 'function' ? handler(request) : handler).then(
        (reply) => {
          send(res, reply);
        },
        (error: unknown) => {
          unexpected.push(`handler failed for ${path}: ${String(error)}`);
          send(res, { status: 599, body: String(error) });
        },
      );
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | null = null;
  const upstream: Upstream = {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    expect(matcher, reply, options = {}) {
      expectations.push({ matcher, reply, times: options.times ?? 1, seen: 0 });
      return upstream;
    },
    count(path) {
      return requests.filter((r) => (path.includes('?') ? r.path === path : r.pathname === path)).length;
    },
    verify() {
      assert.deepEqual(unexpected, [], 'upstream received unexpected requests');
      const unmet = expectations
        .filter((e) => e.seen !== e.times)
        .map(
          (e) =>
            `${typeof e.matcher === 'string' ? e.matcher : e.matcher.name || 'predicate'}: ${e.seen} of ${e.times}`,
        );
      assert.deepEqual(unmet, [], 'upstream expectations not met');
    },
    waitForRequests(n) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
  atTestEnd(t, async () => {
    await upstream.close();
    upstream.verify();
  });
  return upstream;
}

/**
 * A matcher for a WMS request: same pathname, the same parameter keys (case-insensitive, any
 * order) and values (case-insensitive), except `bbox`, compared numerically with a tolerance of
 * `1e-6` of the bbox width (MapProxy's system tests do the same).
 */
export function wmsQuery(
  pathname: string,
  expected: Readonly<Record<string, string>>,
  tolerance = 1e-6,
): (request: UpstreamRequest) => boolean {
  const want = new Map(Object.entries(expected).map(([k, v]) => [k.toLowerCase(), v]));
  const match = (request: UpstreamRequest): boolean => {
    if (request.pathname !== pathname) return false;
    const got = new Map([...request.query.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    if (got.size !== want.size) return false;
    for (const [key, value] of want) {
      const actual = got.get(key);
      if (actual === undefined) return false;
      if (key === 'bbox') {
        if (!bboxClose(actual, value, tolerance)) return false;
      } else if (actual.toLowerCase() !== value.toLowerCase()) {
        return false;
      }
    }
    return true;
  };
  Object.defineProperty(match, 'name', { value: `wmsQuery(${pathname}, ${JSON.stringify(expected)})` });
  return match;
}

function bboxClose(actual: string, expected: string, tolerance: number): boolean {
  const a = actual.split(',').map(Number);
  const e = expected.split(',').map(Number);
  if (a.length !== 4 || e.length !== 4) return false;
  const width = Math.abs((e[2] ?? 0) - (e[0] ?? 0)) || 1;
  return a.every((value, i) => Math.abs(value - (e[i] ?? NaN)) <= width * tolerance);
}

const solidPngs = new Map<string, Promise<Buffer>>();

/**
 * A single-colour PNG (RGBA). Each colour and size is encoded once per test file (upstreams answer
 * the same size many times); every call gets its own copy of the bytes.
 */
export async function solidPng(
  rgba: readonly [number, number, number, number?],
  size: readonly [number, number] = [256, 256],
): Promise<Buffer> {
  const [r, g, b, a = 255] = rgba;
  const key = `${r},${g},${b},${a} ${size[0]}x${size[1]}`;
  let png = solidPngs.get(key);
  if (png === undefined) {
    png = sharp({
      create: { width: size[0], height: size[1], channels: 4, background: { r, g, b, alpha: a / 255 } },
    })
      .png()
      .toBuffer();
    solidPngs.set(key, png);
    // a failed encoding (e.g. an invalid size) is not kept
    png.catch(() => solidPngs.delete(key));
  }
  return Buffer.from(await png);
}

/**
 * A PNG of `size` whose pixels do not compress away: cutting its bytes loses image data, so a
 * truncated copy keeps a valid header but no longer decodes.
 */
export async function noisyPng(size: readonly [number, number] = [256, 256]): Promise<Buffer> {
  const pixels = Buffer.alloc(size[0] * size[1] * 4, 255);
  for (let i = 0; i < pixels.length; i += 4) pixels.writeUInt16BE((i * 7919) % 65521, i);
  return sharp(pixels, { raw: { width: size[0], height: size[1], channels: 4 } })
    .png()
    .toBuffer();
}

/** A single-colour JPEG. */
export async function solidJpeg(
  rgb: readonly [number, number, number],
  size: readonly [number, number] = [256, 256],
): Promise<Buffer> {
  const [r, g, b] = rgb;
  return sharp({ create: { width: size[0], height: size[1], channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
}

/** The RGBA value of pixel (x, y) of an encoded image. */
export async function pixelAt(
  image: Buffer,
  x: number,
  y: number,
): Promise<[number, number, number, number]> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * 4;
  return [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0, data[offset + 3] ?? 0];
}

/** A promise with its resolve function, for handlers that wait until the test releases them. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
