/**
 * `base:` merge rules, pinned against MapProxy 7's `merge_dict` (results computed by running
 * upstream's function on the same inputs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeMaps } from './merge.js';
import { nodeAt, positionOf, toPlain } from './node.js';
import { parseYaml } from './yaml-file.js';

function tree(value: unknown, file: string) {
  return parseYaml(JSON.stringify(value), file).root;
}

const cases: { name: string; conf: unknown; base: unknown; expected: unknown }[] = [
  {
    name: 'lists are concatenated base + conf (the meta_size quirk)',
    conf: { globals: { cache: { meta_size: [2, 2] } } },
    base: { globals: { cache: { meta_size: [3, 3], meta_buffer: 10 } } },
    expected: { globals: { cache: { meta_size: [3, 3, 2, 2], meta_buffer: 10 } } },
  },
  {
    name: 'grids and sources lists are replaced; other keys of the mapping survive',
    conf: { caches: { a: { grids: ['g2'], sources: ['s2'] } } },
    base: { caches: { a: { grids: ['g1'], sources: ['s1'], format: 'image/jpeg' } } },
    expected: { caches: { a: { grids: ['g2'], sources: ['s2'], format: 'image/jpeg' } } },
  },
  {
    name: 'bbox, res and tile_size are replaced',
    conf: { grids: { g: { bbox: [0, 0, 1, 1], res: [2, 1], tile_size: [512, 512] } } },
    base: { grids: { g: { bbox: [5, 5, 6, 6], res: [9], tile_size: [256, 256], srs: 'EPSG:4326' } } },
    expected: { grids: { g: { bbox: [0, 0, 1, 1], res: [2, 1], tile_size: [512, 512], srs: 'EPSG:4326' } } },
  },
  {
    name: 'an empty list deletes (becomes null)',
    conf: { services: { wms: { srs: [] } } },
    base: { services: { wms: { srs: ['EPSG:4326'], max_output_pixels: [10, 10] } } },
    expected: { services: { wms: { srs: null, max_output_pixels: [10, 10] } } },
  },
  {
    name: 'max_output_pixels is replaced while srs is extended',
    conf: { services: { wms: { srs: ['EPSG:3857'], max_output_pixels: [5, 5] } } },
    base: { services: { wms: { srs: ['EPSG:4326'], max_output_pixels: [10, 10] } } },
    expected: { services: { wms: { srs: ['EPSG:4326', 'EPSG:3857'], max_output_pixels: [5, 5] } } },
  },
  {
    name: 'layers are merged by name, new layers appended',
    conf: {
      layers: [
        { name: 'b', title: 'B2', sources: ['x'] },
        { name: 'c', title: 'C' },
      ],
    },
    base: {
      layers: [
        { name: 'a', title: 'A' },
        { name: 'b', title: 'B', sources: ['y'], md: { abstract: 'q' } },
      ],
    },
    expected: {
      layers: [
        { name: 'a', title: 'A' },
        { name: 'b', title: 'B2', sources: ['x'], md: { abstract: 'q' } },
        { name: 'c', title: 'C' },
      ],
    },
  },
  {
    name: 'nested layers merge by name too',
    conf: {
      layers: [
        {
          name: 'top',
          title: 'T',
          layers: [
            { name: 'k1', title: 'K1new' },
            { name: 'k3', title: 'K3' },
          ],
        },
      ],
    },
    base: {
      layers: [
        {
          name: 'top',
          title: 'Told',
          layers: [
            { name: 'k1', title: 'K1' },
            { name: 'k2', title: 'K2' },
          ],
        },
      ],
    },
    expected: {
      layers: [
        {
          name: 'top',
          title: 'T',
          layers: [
            { name: 'k1', title: 'K1new' },
            { name: 'k2', title: 'K2' },
            { name: 'k3', title: 'K3' },
          ],
        },
      ],
    },
  },
  {
    name: 'null in the including file keeps base mappings; new null keys are added',
    conf: { services: { demo: null, wms: null }, globals: null },
    base: { services: { wms: { srs: ['EPSG:4326'] } }, globals: { cache: { base_dir: 'x' } } },
    expected: {
      services: { wms: { srs: ['EPSG:4326'] }, demo: null },
      globals: { cache: { base_dir: 'x' } },
    },
  },
  {
    name: 'the including file wins for scalars',
    conf: { globals: { cache: { base_dir: 'mine' } }, title: 't' },
    base: { globals: { cache: { base_dir: 'theirs', lock_dir: 'l' } }, title: null },
    expected: { globals: { cache: { base_dir: 'mine', lock_dir: 'l' } }, title: 't' },
  },
  {
    name: 'merging is by key, so a changed source type keeps the base keys',
    conf: { sources: { s: { type: 'wms', supported_srs: ['EPSG:3857'] } } },
    base: { sources: { s: { type: 'tile', supported_srs: ['EPSG:4326'], url: 'u' } } },
    expected: { sources: { s: { type: 'wms', supported_srs: ['EPSG:4326', 'EPSG:3857'], url: 'u' } } },
  },
];

for (const { name, conf, base, expected } of cases) {
  test(`merge: ${name}`, () => {
    assert.deepEqual(toPlain(mergeMaps(tree(conf, 'main.yaml'), tree(base, 'base.yaml'))), expected);
  });
}

test('merged values keep the file they came from', () => {
  const merged = mergeMaps(
    tree({ globals: { cache: { meta_size: [2, 2] } } }, 'main.yaml'),
    tree({ globals: { cache: { meta_size: [3, 3], meta_buffer: 10 } } }, 'base.yaml'),
  );
  const files = [0, 1, 2, 3].map((i) => positionOf(merged, ['globals', 'cache', 'meta_size', i]).file);
  assert.deepEqual(files, ['base.yaml', 'base.yaml', 'main.yaml', 'main.yaml']);
  assert.equal(positionOf(merged, ['globals', 'cache', 'meta_buffer']).file, 'base.yaml');
  assert.equal(nodeAt(merged, ['globals', 'cache', 'meta_size', 4]), undefined);
});
