/**
 * 8-bit PNGs have a palette with alpha exactly when the image options are transparent, as
 * MapProxy's img_to_buf quantises with alpha only under `transparent` (a cache's own or its
 * sources', a map's TRANSPARENT): `mode: RGBA` alone quantises without alpha, and a cache's
 * `mode: RGB` does not take alpha from a tile cut from a source's RGBA answer. Captured by
 * test/fixtures/palette-alpha/capture.py (`mapproxy-seed` and a WMS GetMap over the same upstream
 * image; seeding differential, seed 10).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { bands } from '../helpers/band-upstream.js';
import { chunkEntries, seedLevelZero } from '../helpers/palette-seed.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

/**
 * The tiles MapProxy 1.15 wrote (capture.py): sha256, IHDR bit depth, PLTE and tRNS entries (0:
 * no tRNS chunk). Source `wms` asks transparent: true, `opaque` transparent: false; the upstream
 * answers the same RGBA image to both.
 */
const MAPPROXY_TILES = {
  // an RGBA palette: Pillow's 4 * 64 / 3 entries
  rgb64t: {
    options: '{mode: RGB, colors: 64, transparent: true}',
    source: 'wms',
    sha256: '9de46fba782df92f097c1c69bf70997111d9d77422af6d26c0671105bb98b335',
    bits: 8,
    entries: 85,
    trns: 85,
  },
  rgb64tmedian: {
    options: '{mode: RGB, colors: 64, transparent: true, encoding_options: {quantizer: mediancut}}',
    source: 'wms',
    sha256: '2e436921e69b80829eb616e5399cbb3138dc30dbeb40c8e87c3821838d55b1bc',
    bits: 8,
    entries: 256,
    trns: 256,
  },
  // opaque palettes: the transparent quarter shows its colour (black)
  rgba: {
    options: '{mode: RGBA}',
    source: 'opaque',
    sha256: '4b77502cf5f807f79fa3c1b006f2774e5a6a11f1afcdd6c6f40048b2de80ae56',
    bits: 8,
    entries: 256,
    trns: 0,
  },
  rgba16: {
    options: '{mode: RGBA, colors: 16}',
    source: 'opaque',
    sha256: '3e92af64c8937cd9d2f9302541ee9b057ab93cff865f4538be7b0605b5576837',
    bits: 4,
    entries: 16,
    trns: 0,
  },
} as const;

test('seeded 8-bit PNG tiles have alpha in their palette as image.transparent says, whatever the mode (MapProxy 1.15)', async (t) => {
  const tiles = await seedLevelZero(t, MAPPROXY_TILES);
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    assert.deepEqual(
      {
        colorType: tile[25],
        bits: tile[24],
        entries: chunkEntries(tile, 'PLTE'),
        trns: chunkEntries(tile, 'tRNS'),
      },
      { colorType: 3, bits: expected.bits, entries: expected.entries, trns: expected.trns },
      name,
    );
    assert.equal(createHash('sha256').update(tile).digest('hex'), expected.sha256, name);
  }
});

test('a WMS map of an image/png format of mode RGBA is quantised without alpha under TRANSPARENT=false (MapProxy 1.15)', async (t) => {
  const upstream = await startUpstream(t, { '/service': bands });
  const { url } = await startProxy(t, 'palette-alpha/wms.yaml', { UPSTREAM_URL: upstream.url });
  const getMap = async (transparent: boolean): Promise<Buffer> => {
    const res = await fetch(
      `${url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image%2Fpng&LAYERS=direct` +
        `&SRS=EPSG:3857&BBOX=-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244` +
        `&WIDTH=256&HEIGHT=256&TRANSPARENT=${transparent}`,
    );
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  };
  // merged onto white, 64 opaque entries (capture.py: map-transparent-false)
  const opaque = await getMap(false);
  assert.deepEqual(
    { colorType: opaque[25], entries: chunkEntries(opaque, 'PLTE'), trns: chunkEntries(opaque, 'tRNS') },
    { colorType: 3, entries: 64, trns: 0 },
  );
  assert.equal(
    createHash('sha256').update(opaque).digest('hex'),
    'b3268e70e15d3bb2fedc439d52c451d781c8adcc3332045efb87debff562a312',
  );
  // the source's RGBA PNG as it came (MapProxy's bytes are Pillow's; the colour type is what counts)
  assert.equal((await getMap(true))[25], 6);
});
