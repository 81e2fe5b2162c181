/** `export` argument parsing against MapProxy 1.15's `parse_levels` and `parse_grid_definition` doctests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportBackend, parseGridDefinition, parseLevels } from './export-args.js';

test('levels are lists, ranges and both, sorted without repeats', () => {
  assert.deepEqual(parseLevels('1,2,3,6'), [1, 2, 3, 6]);
  assert.deepEqual(parseLevels('1..6'), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parseLevels('1..6, 8, 9, 13..14'), [1, 2, 3, 4, 5, 6, 8, 9, 13, 14]);
  assert.deepEqual(parseLevels('3,1,3'), [1, 3]);
  assert.throws(() => parseLevels('1-3'), { code: 'SEED_INVALID_OPTION' });
});

test('grid definitions are key=value words with YAML values and shell quotes', () => {
  assert.deepEqual(parseGridDefinition('res=[10000,1000,100,10] srs=EPSG:4326 bbox=5,50,10,60'), {
    res: [10000, 1000, 100, 10],
    srs: 'EPSG:4326',
    bbox: '5,50,10,60',
  });
  assert.deepEqual(parseGridDefinition("srs='EPSG:4326' bbox=[5,50,10,60] tile_size=[512,512] origin=nw"), {
    srs: 'EPSG:4326',
    bbox: [5, 50, 10, 60],
    tile_size: [512, 512],
    origin: 'nw',
  });
  assert.throws(() => parseGridDefinition('srs'), /"srs" is not key=value/);
  assert.throws(() => parseGridDefinition('a=b=c'), /not key=value/);
  assert.throws(() => parseGridDefinition('colour=red'), /unknown key "colour"/);
});

test('each type writes the cache MapProxy configures for it', () => {
  assert.deepEqual(exportBackend('mbtile', '/x.mbtiles'), { type: 'mbtiles', filename: '/x.mbtiles' });
  assert.deepEqual(exportBackend('mapproxy', '/d'), { type: 'file', directory: '/d' });
  assert.deepEqual(exportBackend('tms', '/d'), { type: 'file', directory_layout: 'tms', directory: '/d' });
  assert.deepEqual(exportBackend('compact-v2', '/d'), { type: 'compact', version: 2, directory: '/d' });
});
