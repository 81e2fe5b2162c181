/**
 * Replaying MapProxy's memoized `tile_grid()` conf rewrites, and which resolutions stay Python
 * ints: the two quirks `mapproxy-util grids` output depends on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PyInt } from '../util/index.js';
import { GridConfState } from './grid-conf-state.js';
import type { PyConf } from './grid-conf-values.js';
import { intResolutions } from './resolution-kinds.js';

const confs = (): Map<string, PyConf> =>
  new Map<string, PyConf>([
    ['GLOBAL_GEODETIC', { name: 'GLOBAL_GEODETIC', srs: 'EPSG:4326', origin: 'sw' }],
    ['child', { name: 'child', base: 'GLOBAL_GEODETIC', res_factor: 'sqrt2' }],
    ['grandchild', { name: 'grandchild', base: 'child', num_levels: new PyInt(3) }],
  ]);

test('building a grid merges its base, drops base and adds tile_size', () => {
  const state = new GridConfState(confs(), [256, 256]);
  assert.deepEqual(Object.keys(state.conf('child')).sort(), ['base', 'name', 'res_factor']);
  state.build('child');
  const built = state.conf('child');
  assert.equal(built.base, undefined);
  assert.equal(built.origin, 'sw');
  assert.deepEqual(built.tile_size, [new PyInt(256), new PyInt(256)]);
});

test("a base's own base is only inherited when the base was built first", () => {
  const unbuilt = new GridConfState(confs(), [256, 256]);
  unbuilt.build('grandchild');
  assert.equal(unbuilt.conf('grandchild').res_factor, 'sqrt2');
  assert.equal(unbuilt.conf('grandchild').srs, undefined);

  const inOrder = new GridConfState(confs(), [256, 256]);
  inOrder.buildAll();
  assert.equal(inOrder.conf('grandchild').res_factor, 'sqrt2');
  assert.equal(inOrder.conf('grandchild').srs, 'EPSG:4326');
});

test('res entries and a lone min_res written as ints stay ints; interpolated levels do not', () => {
  const none = (): PyConf => ({});
  assert.deepEqual(
    [...intResolutions({ res: [new PyInt(10000), 7500.0, new PyInt(5000)] }, none)],
    [10000, 5000],
  );
  assert.deepEqual(
    [...intResolutions({ min_res: new PyInt(5700), num_levels: new PyInt(14) }, none)],
    [5700],
  );
  assert.deepEqual(
    [...intResolutions({ min_res: new PyInt(2000), max_res: new PyInt(50), num_levels: new PyInt(5) }, none)],
    [],
  );
  assert.deepEqual([...intResolutions({ min_res: 5700.0 }, none)], []);
});

test('aligned grids take the int resolutions of the grid they align with', () => {
  const other: PyConf = { res: [new PyInt(1000), 500.0] };
  const ints = intResolutions({ align_resolutions_with: 'other', min_res: new PyInt(2000) }, (name) =>
    name === 'other' ? other : {},
  );
  assert.deepEqual([...ints], [1000]);
});
