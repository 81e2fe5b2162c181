import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheHeaders, tileETag } from './http-cache.js';

test('the tile headers of one body buffer follow a changed mtime and max-age', () => {
  const body = Buffer.alloc(300);
  const at = (timestampMs: number, maxAgeSeconds = 3600) =>
    cacheHeaders({ kind: 'tile', timestampMs, maxAgeSeconds }, body);
  const first = at(1_700_000_000_000);
  assert.deepEqual(first, {
    ETag: tileETag(1_700_000_000, 300),
    'Last-Modified': 'Tue, 14 Nov 2023 22:13:20 GMT',
    'Cache-Control': 'public, max-age=3600, s-maxage=3600',
  });
  assert.deepEqual(at(1_700_000_000_000), first);
  const later = at(1_700_000_001_500);
  assert.equal(later.ETag, tileETag(1_700_000_001.5, 300));
  assert.equal(later['Last-Modified'], 'Tue, 14 Nov 2023 22:13:21 GMT');
  assert.equal(at(1_700_000_001_500, 60)['Cache-Control'], 'public, max-age=60, s-maxage=60');
  // another buffer of the same size and mtime: the same validators, as MapProxy's
  assert.equal(
    cacheHeaders({ kind: 'tile', timestampMs: 1_700_000_000_000, maxAgeSeconds: 1 }, Buffer.alloc(300, 1))
      .ETag,
    first.ETag,
  );
});
