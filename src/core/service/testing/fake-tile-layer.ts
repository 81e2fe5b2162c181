/**
 * Test support for the service tests: an in-memory `TileLayer` over a real grid that records the
 * coordinates it was asked for, and a dependency-free solid-colour PNG encoder.
 */
import { deflateSync } from 'node:zlib';
import { limitTile, type TileCoord, type TileGrid } from '../../grid/index.js';
import type { FeatureInfoSource, TileLayer, TileResponse } from '../../layer/index.js';
import type { BBox } from '../../util/index.js';

export interface FakeTileLayerOptions {
  readonly name: string;
  readonly title?: string;
  readonly gridName: string;
  readonly grid: TileGrid;
  /** Default `image/png`. */
  readonly format?: string;
  /** Default the subtype of `format`. */
  readonly extension?: string;
  readonly extent?: BBox;
  /** Bytes every tile has; default a red PNG of the tile size. */
  readonly data?: Buffer;
  /** Default 1234567890000 (a stored tile). Null = not stored. */
  readonly timestampMs?: number | null;
  readonly cacheable?: boolean;
  /** Every getTile rejects with it. */
  readonly failWith?: Error;
  /** Feature-info sources; default none (not queryable). */
  readonly infoSources?: readonly FeatureInfoSource[];
}

export class FakeTileLayer implements TileLayer {
  readonly name: string;
  readonly title: string;
  readonly gridName: string;
  readonly grid: TileGrid;
  readonly format: string;
  readonly extension: string;
  readonly extent: BBox;
  readonly metadata: Readonly<Record<string, unknown>> = {};
  readonly infoSources: readonly FeatureInfoSource[];
  /** Every coordinate `getTile` was called with, in order. */
  readonly requested: TileCoord[] = [];
  readonly #options: FakeTileLayerOptions;
  readonly #data: Buffer;

  constructor(options: FakeTileLayerOptions) {
    this.#options = options;
    this.name = options.name;
    this.title = options.title ?? options.name;
    this.gridName = options.gridName;
    this.grid = options.grid;
    this.format = options.format ?? 'image/png';
    this.extension = options.extension ?? this.format.replace(/^image\//, '');
    this.extent = options.extent ?? options.grid.bbox;
    this.infoSources = options.infoSources ?? [];
    this.#data =
      options.data ?? solidPng(options.grid.tileSize[0], options.grid.tileSize[1], [255, 0, 0, 255]);
  }

  getTile(coord: TileCoord): Promise<TileResponse | null> {
    this.requested.push(coord);
    if (this.#options.failWith !== undefined) return Promise.reject(this.#options.failWith);
    if (limitTile(this.grid, coord) === null) return Promise.resolve(null);
    return Promise.resolve({
      data: this.#data,
      format: this.format,
      timestampMs: this.#options.timestampMs === undefined ? 1234567890000 : this.#options.timestampMs,
      cacheable: this.#options.cacheable ?? true,
    });
  }
}

/** An 8-bit RGBA PNG of one colour. */
export function solidPng(
  width: number,
  height: number,
  rgba: readonly [number, number, number, number],
): Buffer {
  const row = Buffer.alloc(1 + width * 4);
  for (let x = 0; x < width; x++) row.set(rgba, 1 + x * 4);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
