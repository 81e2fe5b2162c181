/**
 * The bench's upstream: an in-process node:http WMS that answers every GetMap with a PNG of the
 * requested size (a gradient, so encoders have real work), after an optional delay, and counts requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import sharp from 'sharp';

export interface BenchUpstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** GetMap requests answered since the last `resetCount()`. */
  readonly count: number;
  /** Sum of the GetMap durations since `resetCount()`, ms, where the upstream measures it (MapServer). */
  readonly busyMs?: number;
  resetCount(): void;
  close(): Promise<void>;
}

/**
 * `server` listening on 127.0.0.1, port 0, as a `BenchUpstream`; `counter.count` is what its
 * handler counts. `cleanup` runs after the server closed.
 */
export async function listenAsBenchUpstream(
  server: Server,
  counter: { count: number },
  cleanup: () => Promise<void> = () => Promise.resolve(),
): Promise<BenchUpstream> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return counter.count;
    },
    resetCount() {
      counter.count = 0;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      await cleanup();
    },
  };
}

/** A PNG gradient of `width` x `height` (red along x, green along y). */
async function gradientPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      raw[offset] = x & 255;
      raw[offset + 1] = y & 255;
      raw[offset + 2] = 160;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Starts the upstream on 127.0.0.1, port 0; every answer waits `latencyMs` first. */
export async function startBenchUpstream(latencyMs: number): Promise<BenchUpstream> {
  const images = new Map<string, Promise<Buffer>>();
  const counter = { count: 0 };
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://upstream').searchParams;
    const get = (key: string) => [...query].find(([k]) => k.toLowerCase() === key)?.[1];
    const width = Number(get('width'));
    const height = Number(get('height'));
    if (
      get('request')?.toLowerCase() !== 'getmap' ||
      !(width > 0 && width <= 8192 && height > 0 && height <= 8192)
    ) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('bench upstream: GetMap with width/height only');
      return;
    }
    counter.count += 1;
    const key = `${width}x${height}`;
    let image = images.get(key);
    if (image === undefined) {
      image = gradientPng(width, height);
      images.set(key, image);
    }
    void Promise.all([image, latencyMs > 0 ? delay(latencyMs) : undefined]).then(([body]) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) }).end(body);
    });
  });
  return listenAsBenchUpstream(server, counter);
}
