/** The debug source: MapProxy's text (`source/__init__.py` DebugSource) and a transparent image. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSrs } from '../srs/index.js';
import { createBlankSource, createDebugSource, debugText, type MapQuery } from './index.js';

const QUERY: MapQuery = {
  bbox: [-20037508.342789244, 0, 0, 20037508.342789244],
  size: [256, 256],
  srs: getSrs('EPSG:3857'),
  format: 'image/png',
  transparent: true,
  dimensions: {},
  isSeeding: false,
};

test('debug text is "bbox: %r\\nres: %.8f(%.8f)" as MapProxy prints it', () => {
  // /usr/bin/python3: "bbox: %r\nres: %.8f(%.8f)" % ((-20037508.342789244, 0.0, 0.0, 20037508.342789244), 78271.51696402048, 78271.51696402048)
  assert.equal(
    debugText(QUERY.bbox, QUERY.size),
    'bbox: (-20037508.342789244, 0.0, 0.0, 20037508.342789244)\nres: 78271.51696402(78271.51696402)',
  );
});

test('the debug source always answers with an image of the query size; the blank source never', async () => {
  const image = await createDebugSource().getMap(QUERY);
  assert.ok(image !== null);
  assert.deepEqual(image.size, [256, 256]);
  assert.equal(createDebugSource().isTransparent, true);
  assert.equal(await createBlankSource('offline').getMap(QUERY), null);
});
