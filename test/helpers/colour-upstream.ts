/**
 * The upstream of test/fixtures/mapproxy-1.15/reverse-caches: a WMS answering each GetMap with one colour taken
 * from its bbox (so every tile differs), and the tile paths the capture and the test ask for.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export const LAYERS = ['mb', 'sq', 'gp', 'gpl', 'c1', 'c2'] as const;

/** WMTS RESTful paths of levels 0-2 of `layer`. */
export function tilePaths(layer: string): string[] {
  return [0, 1, 2].flatMap((z) =>
    Array.from(
      { length: 4 ** z },
      (_, i) =>
        `/wmts/${layer}/GLOBAL_WEBMERCATOR/${String(z)}/${String(i % 2 ** z)}/${String(Math.floor(i / 2 ** z))}.png`,
    ),
  );
}

/** WMTS RESTful paths of levels 0-2 of every layer. */
export const TILE_PATHS: readonly string[] = LAYERS.flatMap(tilePaths);

export async function startColourUpstream(): Promise<{
  url: string;
  count: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const query = new Map(
      [...new URL(req.url ?? '/', 'http://x').searchParams].map(([k, v]) => [k.toLowerCase(), v]),
    );
    const hash = createHash('md5')
      .update(query.get('bbox') ?? '')
      .digest();
    void sharp({
      create: {
        width: Number(query.get('width')),
        height: Number(query.get('height')),
        channels: 4,
        background: { r: hash[0] ?? 0, g: hash[1] ?? 0, b: hash[2] ?? 0, alpha: 1 },
      },
    })
      .png()
      .toBuffer()
      .then((png) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    count: () => count,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
