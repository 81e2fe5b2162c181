/**
 * MapProxy's renderd client (`mapproxy/cache/renderd.py`): asks an external renderer to create a
 * tile by POSTing a JSON task to `globals.renderd.address`, and turns its answer into success or
 * a `SourceError`. Reading the tile afterwards is the cache's job.
 */
import { createHash } from 'node:crypto';
import { httpRequest, UpstreamError } from '../client/index.js';
import type { TileCoord } from '../grid/index.js';
import { pyStrRepr } from '../util/index.js';
import { SourceError } from './errors.js';

export interface RenderdClientOptions {
  /** `globals.renderd.address`, posted to as it is. */
  readonly address: string;
  /** Extra request headers (`globals.http.headers`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
}

/** The task's `id`: sha1 of Python's `str((cache_identifier, [(x, y, z)]))`, stable per tile. */
export function renderdTaskId(cacheIdentifier: string, coord: TileCoord): string {
  const repr = `(${pyStrRepr(cacheIdentifier)}, [(${coord.x}, ${coord.y}, ${coord.z})])`;
  return createHash('sha1').update(repr).digest('hex');
}

const NAME = 'renderd';

function communicationError(reason: string, cause?: unknown): SourceError {
  return new SourceError(`Error while communicating with renderd: ${reason}`, 'SOURCE_HTTP', {
    sourceName: NAME,
    cause,
  });
}

export class RenderdClient {
  readonly #options: RenderdClientOptions;

  constructor(options: RenderdClientOptions) {
    this.#options = options;
  }

  /** Resolves when renderd answers `ok` (or any status but `error`/`lock`, as MapProxy reads it). */
  async renderTile(cacheIdentifier: string, coord: TileCoord, priority: number): Promise<void> {
    // byte for byte what MapProxy's json.dumps posts (its separators, its key order)
    const task =
      `{"command": "tile", "id": "${renderdTaskId(cacheIdentifier, coord)}", ` +
      `"tiles": [[${coord.x}, ${coord.y}, ${coord.z}]], ` +
      `"cache_identifier": ${JSON.stringify(cacheIdentifier)}, "priority": ${priority}}`;
    let body: Buffer;
    try {
      const res = await httpRequest(this.#options.address, {
        method: 'POST',
        body: task,
        headers: this.#options.headers,
        timeoutMs: this.#options.timeoutMs,
        sourceName: NAME,
      });
      body = res.body;
    } catch (error) {
      // requests does not raise for an HTTP error status and MapProxy then fails to parse the body;
      // ours has no body to parse after an error status, which is (almost always) not JSON either
      if (error instanceof UpstreamError && error.status !== null)
        throw communicationError('invalid JSON', error);
      throw communicationError(error instanceof Error ? error.message : String(error), error);
    }
    let result: unknown;
    try {
      result = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw communicationError('invalid JSON', error);
    }
    const answer = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
    const message = typeof answer.error_message === 'string' ? answer.error_message : undefined;
    if (answer.status === 'error')
      throw new SourceError(`Error from renderd: ${message ?? 'unknown error from renderd'}`, 'SOURCE_HTTP', {
        sourceName: NAME,
      });
    if (answer.status === 'lock')
      throw new SourceError(
        `Lock timeout from renderd: ${message ?? 'unknown lock timeout error from renderd'}`,
        'SOURCE_HTTP',
        { sourceName: NAME },
      );
  }
}
