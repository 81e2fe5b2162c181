/**
 * One lazily opened Redis connection (ioredis) for the redis cache and the redis tile locks: it
 * fails fast while Redis is unreachable instead of queueing, and never keeps the process alive idle.
 * Optionally over TLS, with the CA and client certificate files read on the first connect.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import type { Redis } from 'ioredis';
import { getLogger } from '../util/index.js';

const log = getLogger('mapproxy.cache.redis');

/** ioredis on the first connect (a CJS package, required synchronously): ~0.1 s of start-up a config without redis never pays. */
const loadIoredis = (): typeof import('ioredis') => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

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
  /** Talk TLS (`rediss://`); absent: plain TCP. */
  readonly tls?: RedisTlsOptions | undefined;
}

/** TLS to Redis: PEM files (absolute paths) and whether the server certificate is checked. */
export interface RedisTlsOptions {
  /** CA certificates the server's certificate must chain to; default the system's. */
  readonly caFile?: string | undefined;
  /** Client certificate (with its key, unless `keyFile` is given), for servers that ask for one. */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /** Accept any server certificate (`ssl_no_cert_checks`). */
  readonly noCertChecks?: boolean | undefined;
}

/** The Redis a connection talks to, for messages: `redis[s]://host:port/db` (never the password). */
export function redisAddress(options: RedisConnectionOptions): string {
  const scheme = options.tls === undefined ? 'redis' : 'rediss';
  return `${scheme}://${options.host}:${String(options.port)}/${String(options.db ?? 0)}`;
}

/** node:tls options from `tls`, reading its files; rejects naming the file that cannot be read. */
async function tlsOptions(tls: RedisTlsOptions): Promise<ConnectionOptions> {
  const read = (file: string | undefined, key: string): Promise<Buffer | undefined> =>
    file === undefined
      ? Promise.resolve(undefined)
      : readFile(file).catch((error: unknown) => {
          throw new Error(`cannot read ${key} ${file}: ${errorText(error)}`, { cause: error });
        });
  const [ca, cert, key] = await Promise.all([
    read(tls.caFile, 'ssl_ca_certs'),
    read(tls.certFile, 'ssl_certfile'),
    read(tls.keyFile ?? tls.certFile, tls.keyFile === undefined ? 'ssl_certfile' : 'ssl_keyfile'),
  ]);
  return { ca, cert, key: cert === undefined ? undefined : key, rejectUnauthorized: tls.noCertChecks !== true };
}

export class RedisConnection {
  readonly address: string;
  readonly #options: RedisConnectionOptions;
  /** Made on the first connect (TLS files are read then). */
  #client: Redis | null = null;
  readonly #retryDelayMs: number;
  #connecting: Promise<void> | null = null;
  #failedAtMs: number | null = null;
  #lastError: unknown = null;
  #pending = 0;

  constructor(options: RedisConnectionOptions) {
    this.address = redisAddress(options);
    this.#options = options;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
  }

  #createClient(tls: ConnectionOptions | undefined): Redis {
    const options = this.#options;
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = new (loadIoredis().Redis)({
      tls,
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
    client.on('error', (error: unknown) => {
      this.#lastError = error;
      log.debug(`${this.address}: ${error instanceof Error ? error.message : String(error)}`);
    });
    return client;
  }

  /**
   * Runs `command` on the connected client, connecting first when needed. Rejects with the
   * connection's error while Redis is unreachable (at once within `retryDelayMs` of a failed connect).
   */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.#connected();
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
    const client = this.#client;
    if (client === null || client.status === 'wait' || client.status === 'end') return;
    await client.quit().catch(() => {
      client.disconnect();
    });
  }

  async #connected(): Promise<Redis> {
    const ready = this.#client;
    if (ready?.status === 'ready') return ready;
    if (this.#connecting === null) {
      const failedAt = this.#failedAtMs;
      if (failedAt !== null && Date.now() - failedAt < this.#retryDelayMs) {
        throw new Error(`${this.address} is unreachable: ${errorText(this.#lastError)}`, {
          cause: this.#lastError,
        });
      }
      this.#lastError = null;
      this.#connecting = this.#connect().then(
        (client) => {
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
    const client = this.#client;
    if (client === null) throw new Error(`${this.address}: no client after connecting`);
    return client;
  }

  /** Connects the client, making it first (with the TLS files read) when there is none yet. */
  async #connect(): Promise<Redis> {
    const { tls } = this.#options;
    this.#client ??= this.#createClient(tls === undefined ? undefined : await tlsOptions(tls));
    const client = this.#client;
    if (client.status !== 'wait' && client.status !== 'end') {
      // closing after an error: wait for the end before connecting again
      client.disconnect();
    }
    await client.connect();
    return client;
  }
}

/** The message of a thrown value, for log lines. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
