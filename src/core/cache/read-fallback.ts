/**
 * Reads of a remote cache tier (Redis, S3) that degrade to a miss while it cannot answer: the
 * tile then comes from the sources and is served unstored (STYLE 5); or, configured so
 * (`on_unavailable: fail`), fail as a `CacheError`. Warns once when the tier goes away and once
 * when it answers again.
 */
import type { Logger } from '../util/index.js';
import { CacheError } from './errors.js';

export interface ReadFallbackOptions {
  readonly log: Logger;
  /** Names the tier in both messages, e.g. `redis cache osm_GLOBAL_WEBMERCATOR`. */
  readonly label: string;
  /** Why a read failed, for the warning. */
  readonly describe: (error: unknown) => string;
  /** What the "answers again" message says after the label. */
  readonly backAgain: string;
  /** Reject failed reads with `CacheError` (`CACHE_READ`) instead of reading them as a miss. */
  readonly failReads?: boolean | undefined;
}

export class ReadFallback {
  readonly #options: ReadFallbackOptions;
  #isDown = false;

  constructor(options: ReadFallbackOptions) {
    this.#options = options;
  }

  /** The result of `read`, or null (a miss) when it fails. */
  async read<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      const result = await read();
      this.up();
      return result;
    } catch (error) {
      const { log, label, describe, failReads } = this.#options;
      if (!this.#isDown) {
        this.#isDown = true;
        log.warn(
          `${label}: ${describe(error)}; ${failReads === true ? 'failing its requests' : 'serving tiles from the sources without storing them'}`,
        );
      }
      if (failReads === true)
        throw new CacheError(`${label}: ${describe(error)}`, 'CACHE_READ', { cause: error });
      return null;
    }
  }

  /** Tells that the tier answered (a read or a write succeeded). */
  up(): void {
    if (!this.#isDown) return;
    this.#isDown = false;
    this.#options.log.info(`${this.#options.label}: ${this.#options.backAgain}`);
  }
}
