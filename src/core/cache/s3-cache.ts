/**
 * The `s3` cache (MapProxy 1.15 `cache/s3.py`): one object per tile in a bucket, keyed
 * `<base path>/<layout path>` (`tms` by default: `<name>/<grid>/<z>/<x>/<y>.<ext>`), written with
 * `ContentType` for png/jpeg and the configured `ACL`. Timestamps are the objects' `LastModified`.
 *
 * A store that cannot be read reads as a miss (one warning; tiles come from the sources unstored,
 * as the redis cache does); failed writes and removals reject with `CacheError`, so seeding counts
 * them as failed. Up to four requests per batch run at once (MapProxy's pools).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { TileCoord } from '../grid/index.js';
import { getLogger } from '../util/index.js';
import { CacheError } from './errors.js';
import type { DirectoryLayout } from './path-layouts.js';
import { createS3Client, loadS3Sdk, type S3ClientOptions } from './s3-client.js';
import { s3LockCacheId, s3TileKey } from './s3-key.js';
import { ReadFallback } from './read-fallback.js';
import type { CachedTile, TileCache, TileToStore } from './types.js';

const log = getLogger('mapproxy.cache.s3');

/** MapProxy's pool sizes for loads and stores. */
const CONCURRENCY = 4;

export interface S3CacheOptions extends S3ClientOptions {
  readonly bucket: string;
  /** `directory` as given, or `<cache name>/<grid name>`. */
  readonly basePath: string;
  readonly layout: DirectoryLayout;
  /** File extension of the stored format (`png`, `jpeg`). */
  readonly extension: string;
  /** `access_control_list`: a canned ACL (`public-read`) sent with every PUT. */
  readonly acl?: string | undefined;
  /**
   * `use_http_get`: read tiles with plain unsigned GETs (`<endpoint>/<bucket>/<key>`, or the
   * bucket's virtual-hosted AWS address) instead of signed GetObject calls.
   */
  readonly useHttpGet?: boolean | undefined;
  /** `on_unavailable: fail`: while the store cannot be read, requests fail instead of reading a miss. */
  readonly failReads?: boolean | undefined;
}

/** True for the SDK's "not there" answers (`NoSuchKey` on GET, a bare 404 on HEAD). */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function errorText(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const status = e?.$metadata?.httpStatusCode;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const message =
    typeof e?.message === 'string' && e.message !== '' && e.message !== name ? `: ${e.message}` : '';
  return `${name}${message}${typeof status === 'number' ? ` (HTTP ${String(status)})` : ''}`;
}

/** Runs `task` over `items` with at most `limit` at once; results in order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class S3Cache implements TileCache {
  readonly lockCacheId: string;
  readonly supportsTimestamps = true;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly #options: S3CacheOptions;
  #client: Promise<S3Client> | undefined;
  readonly #fallback: ReadFallback;

  constructor(options: S3CacheOptions) {
    this.#options = options;
    this.lockCacheId = s3LockCacheId(options.basePath, options.bucket);
    this.#fallback = new ReadFallback({
      log,
      label: `s3 cache s3://${options.bucket}/${options.basePath}`,
      describe: errorText,
      backAgain: 'answers again',
      failReads: options.failReads,
    });
  }

  /** The object key of a tile (dimensions are ignored, as MapProxy's s3 cache does). */
  key(coord: TileCoord): string {
    const { basePath, layout, extension } = this.#options;
    return s3TileKey(basePath, layout, coord, extension);
  }

  /** Always with the timestamp: `LastModified` comes with every GET. */
  async loadTile(coord: TileCoord): Promise<CachedTile | null> {
    const [tile] = await this.loadTiles([coord]);
    return tile ?? null;
  }

  loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    return mapLimit(coords, CONCURRENCY, (coord) =>
      this.#fallback.read(() =>
        this.#options.useHttpGet === true ? this.#httpGet(coord) : this.#getObject(coord),
      ),
    );
  }

  async tileTimestamp(coord: TileCoord): Promise<number | null> {
    return this.#fallback.read(async () => {
      const { HeadObjectCommand } = await loadS3Sdk();
      const client = await this.#clientOnce();
      try {
        const head = await client.send(
          new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.key(coord) }),
        );
        return head.LastModified?.getTime() ?? 0;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
  }

  async isCached(coord: TileCoord): Promise<boolean> {
    return (await this.tileTimestamp(coord)) !== null;
  }

  async storeTiles(tiles: readonly TileToStore[]): Promise<void> {
    const { PutObjectCommand } = await loadS3Sdk();
    const { bucket, extension, acl } = this.#options;
    await mapLimit(tiles, CONCURRENCY, async ({ coord, data }) => {
      const key = this.key(coord);
      try {
        const client = await this.#clientOnce();
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: data,
            // MapProxy: ContentType only for these two extensions
            ...(extension === 'png' || extension === 'jpeg' ? { ContentType: `image/${extension}` } : {}),
            ...(acl === undefined ? {} : { ACL: acl as 'private' }),
          }),
        );
      } catch (error) {
        throw new CacheError(`could not store s3://${bucket}/${key}: ${errorText(error)}`, 'CACHE_WRITE', {
          cause: error,
        });
      }
    });
    this.#fallback.up();
  }

  async removeTile(coord: TileCoord): Promise<void> {
    const { DeleteObjectCommand } = await loadS3Sdk();
    const { bucket } = this.#options;
    const key = this.key(coord);
    try {
      const client = await this.#clientOnce();
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw new CacheError(`could not remove s3://${bucket}/${key}: ${errorText(error)}`, 'CACHE_WRITE', {
        cause: error,
      });
    }
  }

  /** Closes the client's connections (a later use opens new ones). */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) (await client).destroy();
  }

  #clientOnce(): Promise<S3Client> {
    this.#client ??= createS3Client(this.#options);
    return this.#client;
  }

  async #getObject(coord: TileCoord): Promise<CachedTile | null> {
    const { GetObjectCommand } = await loadS3Sdk();
    const client = await this.#clientOnce();
    try {
      const object = await client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key: this.key(coord) }),
      );
      const data = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      return { coord, data, timestampMs: object.LastModified?.getTime() ?? null, sizeBytes: data.length };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** `use_http_get`: an unsigned GET of the object's URL; 403 and 404 are misses. */
  async #httpGet(coord: TileCoord): Promise<CachedTile | null> {
    const response = await fetch(this.objectUrl(coord));
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${this.objectUrl(coord)}: HTTP ${String(response.status)}`);
    }
    const data = Buffer.from(await response.arrayBuffer());
    const modified = response.headers.get('last-modified');
    return {
      coord,
      data,
      timestampMs: modified === null ? null : Date.parse(modified),
      sizeBytes: data.length,
    };
  }

  /** The plain URL of a tile's object: path-style under `endpoint_url`, else AWS virtual-hosted. */
  objectUrl(coord: TileCoord): string {
    const { endpointUrl, bucket, region } = this.#options;
    const key = this.key(coord).split('/').map(encodeURIComponent).join('/');
    if (endpointUrl !== undefined) return `${endpointUrl.replace(/\/+$/, '')}/${bucket}/${key}`;
    return `https://${bucket}.s3.${region ?? 'us-east-1'}.amazonaws.com/${key}`;
  }
}
