/**
 * `format: mixed` caches (issue 15) as MapProxy 1.15 keeps and serves them on mixed.yaml
 * (test/fixtures/mixed, captured by its capture.py against the same upstream): tiles created from
 * WMS images are JPEG where opaque and PNG where any pixel is transparent, with and without meta
 * tiles; a tile source's PNG tiles are stored as they came; every file ends in `.mixed`; tiles go
 * out with the content type of their bytes (a JPEG at a `.png` URL is `image/jpeg`); WMTS lists
 * the layers as `image/png`.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'mixed');

interface Captured {
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  /** PIL's name of the body's format, for images. */
  readonly format?: string;
  /** Capabilities: the distinct <Format>s and RESTful template extensions. */
  readonly formats?: readonly string[];
  readonly templates?: readonly string[];
}

const CAPTURE = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as {
  readonly requests: readonly Captured[];
  /** [path below the config dir, PIL format] of every cache file. */
  readonly files: readonly (readonly [string, string])[];
};

/** The capture's upstream (see capture.py). */
async function upstreamImage(request: UpstreamRequest): Promise<Buffer> {
  const tile = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(request.pathname);
  if (tile !== null) {
    const opaque = (Number(tile[2]) + Number(tile[3])) % 2 === 0;
    return sharp({
      create: {
        width: 256,
        height: 256,
        channels: 4,
        background: { r: 200, g: 60, b: 30, alpha: opaque ? 1 : 0 },
      },
    })
      .png()
      .toBuffer();
  }
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const opaqueWidth = request.query.get('layers') === 'full' ? width : Math.trunc(width / 2);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < opaqueWidth; x++) data.set([30, 90, 200, 255], (y * width + x) * 4);
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** PIL's format name of encoded bytes. */
function pilFormat(body: Buffer): string {
  if (body.subarray(1, 4).toString('latin1') === 'PNG') return 'PNG';
  if (body[0] === 0xff && body[1] === 0xd8) return 'JPEG';
  return 'other';
}

async function cacheFiles(dir: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const walk = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (!full.includes('tile_locks') && !entry.name.endsWith('.lck'))
        out.push([relative(dir, full), pilFormat(await readFile(full))]);
    }
  };
  await walk(join(dir, 'cache_data'));
  return out.sort(([a], [b]) => a.localeCompare(b));
}

test('mixed caches store, name and serve tiles as MapProxy 1.15 does', async (t) => {
  const tiles = Object.fromEntries(
    [0, 1, 2].flatMap((z) =>
      Array.from({ length: 4 ** z }, (_, i) => [
        `/tiles/${z}/${i % 2 ** z}/${Math.trunc(i / 2 ** z)}.png`,
        upstreamImage,
      ]),
    ),
  );
  const upstream = await startUpstream(t, { '/wms': upstreamImage, ...tiles });
  const proxy = await startProxy(t, 'mixed/mixed.yaml', { UPSTREAM_URL: upstream.url });
  for (const expected of CAPTURE.requests) {
    const res = await fetch(`${proxy.url}${expected.path}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, expected.status, `${expected.path}: ${body.toString().slice(0, 300)}`);
    if (expected.format !== undefined) {
      assert.equal(res.headers.get('content-type'), expected.contentType, expected.path);
      assert.equal(pilFormat(body), expected.format, expected.path);
    } else if (expected.formats !== undefined) {
      const doc = body.toString();
      assert.deepEqual(
        [...new Set(doc.match(/<Format>[^<]*<\/Format>/g))].map((f) => f.slice(8, -9)).sort(),
        expected.formats,
      );
      assert.deepEqual(
        [...new Set([...doc.matchAll(/template="[^"]*(\.[a-z]+)"/g)].map((m) => m[1]))].sort(),
        expected.templates,
      );
    }
  }
  assert.deepEqual(
    await cacheFiles(proxy.dir),
    CAPTURE.files.map(([path, format]) => [path, format]),
  );
});
