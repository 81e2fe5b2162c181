/**
 * Replies given again without routing: a tile served from the hot-tile cache answers a repeat of
 * its URL with the same status, headers and bytes while its hot entry is fresh. A repeated cached
 * tile then costs what Node's HTTP server costs, not fastify's routing and the service path too.
 * TMS, WMTS REST and KVP repeats all end here alike (status, headers and bytes the same for the
 * same tile): paired runs gave KVP/TMS 0.93-1.03 and REST/TMS 0.97-1.03 of the CPU a hit (per-round
 * medians of 4 runs of 4-10 rounds, issue 13). Their rows' gaps in the bench are the machine's.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Freshness } from '../util/index.js';
import { recordRequest, type HttpReply } from './handle-request.js';

/**
 * Bound of the bodies held. They are the hot-tile cache's own buffers (`globals.cache.hot_tiles`,
 * 32 MB by default), so this costs memory only for entries the hot tiles have already let go.
 */
export const REMEMBERED_REPLIES_MAX_BYTES = 32 * 1024 * 1024;

interface Remembered {
  /** As fastify writes them: the reply's headers with lower-case names, then content-length. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly service: string;
  readonly freshness: Freshness;
}

/**
 * A request whose answer depends on nothing but its URL: GET or HEAD without validators. Tried for
 * repeats (issue 13): the validators looked up in `req.rawHeaders` and the headers handed to
 * writeHead as flat pairs: no gain (a repeat's answer in-process 6.7 us either way), as Node's own
 * parserOnIncoming builds `req.headers` for every HTTP/1.1 request (its Host and Expect checks).
 */
function isPlain(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    headers['if-none-match'] === undefined &&
    headers['if-modified-since'] === undefined
  );
}

/**
 * Replies whose freshness is gone (`Freshness.isGone`: a hot tile evicted or replaced) are looked
 * for each time bodies of this share of the bound were added. Until then such a body is held here
 * alone: with more tiles in use than the hot tiles hold, that was up to the whole bound again
 * beside the hot tiles' own bytes (issue 13, peak RSS per worker).
 */
const GONE_SWEEP_SHARE = 1 / 8;

/** Fresh replies by request URL, oldest dropped first beyond a byte bound. */
export class RememberedReplies {
  readonly #maxBytes: number;
  readonly #replies = new Map<string, Remembered>();
  #bytes = 0;
  /** Body bytes remembered since the last look for gone replies. */
  #addedSinceSweep = 0;

  constructor(maxBytes = REMEMBERED_REPLIES_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#replies.size;
  }

  /** Keeps `reply` for `request.url` when it may answer repeats: a fresh 200 to a plain request. */
  remember(request: { method: string; url: string; headers: IncomingHttpHeaders }, reply: HttpReply): void {
    const { freshness, body } = reply;
    if (freshness === undefined || reply.status !== 200 || typeof body === 'string') return;
    if (!isPlain(request.method, request.headers) || body.length > this.#maxBytes) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.headers)) headers[name.toLowerCase()] = value;
    headers['content-length'] = String(body.length);
    this.#forget(request.url);
    this.#replies.set(request.url, { headers, body, service: reply.service ?? 'other', freshness });
    this.#bytes += body.length;
    this.#addedSinceSweep += body.length;
    if (this.#addedSinceSweep >= this.#maxBytes * GONE_SWEEP_SHARE) this.#dropGone();
    for (const [url, oldest] of this.#replies) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#replies.delete(url);
      this.#bytes -= oldest.body.length;
    }
  }

  /**
   * Answers `req` with the reply remembered for its URL, access-logged and counted as any other;
   * false when there is none or it is no longer fresh: then route the request as usual.
   */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#replies.size === 0 || req.url === undefined || !isPlain(req.method, req.headers)) return false;
    const url = req.url;
    const hit = this.#replies.get(url);
    if (hit === undefined) return false;
    if (!hit.freshness.isFresh()) {
      this.#forget(url);
      return false;
    }
    const start = performance.now();
    res.writeHead(200, hit.headers);
    res.end(hit.body);
    recordRequest(
      {
        method: req.method ?? 'GET',
        url,
        remoteAddress: req.socket.remoteAddress,
        httpVersion: req.httpVersion,
      },
      { status: 200, body: hit.body, service: hit.service },
      performance.now() - start,
    );
    return true;
  }

  /** Drops the replies that can never be fresh again (their bodies are often held nowhere else). */
  #dropGone(): void {
    this.#addedSinceSweep = 0;
    for (const [url, remembered] of this.#replies) {
      if (remembered.freshness.isGone?.() !== true) continue;
      this.#replies.delete(url);
      this.#bytes -= remembered.body.length;
    }
  }

  #forget(url: string): void {
    const old = this.#replies.get(url);
    if (old === undefined) return;
    this.#replies.delete(url);
    this.#bytes -= old.body.length;
  }
}
