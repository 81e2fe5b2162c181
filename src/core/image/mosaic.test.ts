import assert from 'node:assert/strict';
import test from 'node:test';
import sharp from 'sharp';
import { getSrs } from '../srs/index.js';
import {
  closeImageWorkers,
  cropAndScale,
  imageFromBytes,
  stitchImages,
  transformImage,
  type ImageResult,
} from './index.js';

test.after(() => closeImageWorkers());

/** A 16x16 PNG tile with a gradient and, when `translucent`, a translucent column. */
async function tile(seed: number, translucent = false): Promise<ImageResult> {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 256; i += 1)
    data.set(
      [(i * 7 + seed * 40) & 255, (i >> 4) * 16, seed * 60, translucent && i % 16 === 3 ? 90 : 255],
      i * 4,
    );
  return imageFromBytes(
    await sharp(data, { raw: { width: 16, height: 16, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

/** 2x2 tiles, the top right one missing (transparent). */
async function tiles(): Promise<(ImageResult | null)[]> {
  return [await tile(0, true), null, await tile(2), await tile(3)];
}

/** The same mosaic, stitched on the main thread first (the path for tiles the worker cannot take). */
async function stitchedHere(): Promise<ImageResult> {
  const image = await stitchImages(await tiles(), [2, 2], [16, 16]);
  await image.raw();
  return image;
}

test('a mosaic of PNG tiles resamples to the same pixels stitched on the worker as on the main thread', async () => {
  const box = [1.5, 2.25, 30.5, 29.75] as const;
  const onWorker = await cropAndScale(
    await stitchImages(await tiles(), [2, 2], [16, 16]),
    box,
    [20, 21],
    'bicubic',
  );
  const onMain = await cropAndScale(await stitchedHere(), box, [20, 21], 'bicubic');
  assert.deepEqual((await onWorker.raw()).data, (await onMain.raw()).data);
  // the missing tile reads transparent
  assert.equal((await onWorker.raw()).data[(0 * 20 + 19) * 4 + 3], 0);
});

test('an opaque reprojected mosaic is flattened the same on the worker as on the main thread', async () => {
  const place = { bbox: [0, 0, 2_000_000, 2_000_000] as const, srs: getSrs('EPSG:3857') };
  const dst = { bbox: [1, 1, 17, 17] as const, srs: getSrs('EPSG:4326'), size: [24, 24] as const };
  const options = { resampling: 'bilinear' as const, opaque: true };
  const onWorker = await transformImage(
    await stitchImages(await tiles(), [2, 2], [16, 16]),
    place,
    dst,
    options,
  );
  const onMain = await transformImage(await stitchedHere(), place, dst, options);
  const pixels = (await onWorker.raw()).data;
  assert.deepEqual(pixels, (await onMain.raw()).data);
  for (let i = 3; i < pixels.length; i += 4) assert.equal(pixels[i], 255);
});

test('a corrupt tile in a mosaic rejects the resampling with IMAGE_DECODE', async () => {
  const good = await tile(1);
  const png = Buffer.from(
    await (
      await tile(1)
    )
      .encode({
        format: 'image/png',
        mode: null,
        colors: 0,
        transparent: true,
        resampling: 'nearest',
        jpegQuality: 90,
        quantizer: null,
      })
      .then((e) => e.data),
  );
  png.fill(7, 41, 60); // inside the IDAT stream
  const mosaic = await stitchImages([good, imageFromBytes(png)], [2, 1], [16, 16]);
  await assert.rejects(cropAndScale(mosaic, [0.5, 0.5, 31.5, 15.5], [10, 5], 'bicubic'), {
    code: 'IMAGE_DECODE',
  });
});
