/**
 * The upstream image of the palette tests (seed-palette-colors, palette-alpha) and of their
 * capture.py scripts: seven colour bands over the left three quarters, the right quarter
 * transparent, drawn at the size a GetMap asks for.
 */
import sharp from 'sharp';
import type { UpstreamRequest } from './upstream.js';

const COLOURS = [
  [200, 30, 30],
  [30, 160, 60],
  [40, 60, 200],
  [230, 200, 40],
  [120, 40, 140],
  [20, 20, 20],
  [250, 250, 250],
] as const;

/** The bands as an RGBA PNG of the request's `width` x `height` (an upstream route handler). */
export function bands(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 4);
  const banded = Math.floor((width * 3) / 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < banded; x++) {
      const colour = COLOURS[(Math.floor((x * 7) / banded) + Math.floor(y / 64)) % 7]!;
      data.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}
