/**
 * One lazily opened Redis connection (ioredis) for the redis cache and the redis tile locks: it
 * fails fast while Redis is unreachable instead of queueing, and never keeps the process alive idle.
 */
import { Redis } from 'ioredis';
import { getLogger } from '../util/index.js';

const log = getLogger('mapproxy.cache.redis');

export interface RedisConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly db?: number | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Connect and per-command timeout; default 5000. */
  readonly timeoutMs?: number | undefined;
  /** After a failed connect, commands fail at once for this long before the next attempt; default 1000. */
  readonly retryDelayMs?: number | undefined;
}

/** The Redis a connection talks to, for messages: `redis://host:port/db` (never the password). */
export function redisAddress(options: RedisConnectionOptions): string {
  return `redis://${options.host}:${String(options.port)}/${String(options.db ?? 0)}`;
}

export class RedisConnection {
  readonly address: string;
  readonly #client: Redis;
  readonly #retryDelayMs: number;
  #connecting: Promise<void> | null = null;
  #failedAtMs: number | null = null;
  #lastError: unknown = null;
  #pending = 0;

  constructor(options: RedisConnectionOptions) {
    const timeoutMs = options.timeoutMs ?? 5000;
    this.address = redisAddress(options);
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#client = new Redis({
      host: options.host,
      port: options.port,
      db: options.db ?? 0,
      username: options.username,
      password: options.password,
      // connect on first use (`check` and `serve` startup touch nothing), and reconnect only on
      // demand: no background retry timers, and no offline queue where requests would pile up
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    });
    // without a listener ioredis reports every connection error on the console
    this.#client.on('error', (error: unknown) => {
      this.#lastError = error;
      log.debug(`${this.address}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * Runs `command` on the connected client, connecting first when needed. Rejects with the
   * connection's error while Redis is unreachable (at once within `retryDelayMs` of a failed connect).
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    await this.#connected();
    const client = this.#client;
    // an idle connection must not keep a finished process (seed, tests) alive; a running command must
    this.#pending += 1;
    client.stream.ref();
    try {
      return await command(client);
    } finally {
      this.#pending -= 1;
      if (this.#pending === 0) client.stream.unref();
    }
  }

  /** Closes the connection; a later `run` opens it again. */
  async close(): Promise<void> {
    if (this.#client.status === 'wait' || this.#client.status === 'end') return;
    await this.#client.quit().catch(() => {
      this.#client.disconnect();
    });
  }

  async #connected(): Promise<void> {
    const client = this.#client;
    if (client.status === 'ready') return;
    if (this.#connecting === null) {
      const failedAt = this.#failedAtMs;
      if (failedAt !== null && Date.now() - failedAt < this.#retryDelayMs) {
        throw new Error(`${this.address} is unreachable: ${errorText(this.#lastError)}`, {
          cause: this.#lastError,
        });
      }
      this.#lastError = null;
      if (client.status !== 'wait' && client.status !== 'end') {
        // closing after an error: wait for the end before connecting again
        client.disconnect();
      }
      this.#connecting = client.connect().then(
        () => {
          this.#failedAtMs = null;
          if (this.#pending === 0) client.stream.unref();
        },
        (error: unknown) => {
          this.#failedAtMs = Date.now();
          // connect() rejects with "Connection is closed."; the error event said why (ECONNREFUSED,
          // WRONGPASS): keep that one
          const cause = this.#lastError ?? error;
          this.#lastError = cause;
          throw new Error(`${this.address} is unreachable: ${errorText(cause)}`, { cause });
        },
      );
      void this.#connecting
        .finally(() => {
          this.#connecting = null;
        })
        .catch(() => undefined);
    }
    await this.#connecting;
  }
}

/** The message of a thrown value, for log lines. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
