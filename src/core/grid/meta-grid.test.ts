import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  affectedMetaTiles,
  createMetaGrid,
  metaTile,
  metaTileCoords,
  minimalMetaTile,
  type MetaTile,
} from './index.js';
import { coord, TEST_GRIDS, type TestGridKey, type Triple } from '../../../test/helpers/test-grids.js';

// Expected values: MapProxy 1.15 `MetaGrid(grid, meta_size, meta_buffer)`: `.meta_tile(coord)`
// (bbox, size, grid_size, tile_patterns, main_tile_coord), `.minimal_meta_tile(tiles)` and
// `.get_affected_level_tiles(bbox, level)`. Pure arithmetic: compared exactly.

const grids = TEST_GRIDS;
type GridKey = TestGridKey;

interface Expected {
  bbox: number[];
  size: number[];
  grid_size: number[];
  patterns: [number[] | null, number[]][];
  main: number[];
}

function assertMetaTile(actual: MetaTile, expected: Expected, what: string): void {
  assert.deepEqual(actual.bbox, expected.bbox, `${what} bbox`);
  assert.deepEqual(actual.size, expected.size, `${what} size`);
  assert.deepEqual(actual.gridSize, expected.grid_size, `${what} grid size`);
  assert.deepEqual(
    actual.tilePatterns.map((p) => [p.coord && [p.coord.x, p.coord.y, p.coord.z], p.offset]),
    expected.patterns,
    `${what} patterns`,
  );
  assert.deepEqual(actual.mainTile, coord(expected.main as unknown as Triple), `${what} main tile`);
}

const metaCases: [GridKey, [number, number], number, Triple, Expected][] = [
  [
    'geo',
    [4, 4],
    80,
    [0, 0, 0],
    {
      bbox: [-180.0, -90.0, 180.0, 90.0],
      size: [256, 128],
      grid_size: [1, 1],
      patterns: [
        [
          [0, 0, 0],
          [0, -128],
        ],
      ],
      main: [0, 0, 0],
    },
  ],
  [
    'geo',
    [4, 4],
    80,
    [1, 0, 1],
    {
      bbox: [-180.0, -90.0, 180.0, 90.0],
      size: [512, 256],
      grid_size: [2, 1],
      patterns: [
        [
          [0, 0, 1],
          [0, 0],
        ],
        [
          [1, 0, 1],
          [256, 0],
        ],
      ],
      main: [0, 0, 1],
    },
  ],
  [
    'merc',
    [4, 4],
    80,
    [5, 6, 3],
    {
      bbox: [-1565430.3392804097, -1565430.3392804097, 20037508.342789244, 20037508.342789244],
      size: [1104, 1104],
      grid_size: [4, 4],
      patterns: [
        [
          [4, 7, 3],
          [80, 0],
        ],
        [
          [5, 7, 3],
          [336, 0],
        ],
        [
          [6, 7, 3],
          [592, 0],
        ],
        [
          [7, 7, 3],
          [848, 0],
        ],
        [
          [4, 6, 3],
          [80, 256],
        ],
        [
          [5, 6, 3],
          [336, 256],
        ],
        [
          [6, 6, 3],
          [592, 256],
        ],
        [
          [7, 6, 3],
          [848, 256],
        ],
        [
          [4, 5, 3],
          [80, 512],
        ],
        [
          [5, 5, 3],
          [336, 512],
        ],
        [
          [6, 5, 3],
          [592, 512],
        ],
        [
          [7, 5, 3],
          [848, 512],
        ],
        [
          [4, 4, 3],
          [80, 768],
        ],
        [
          [5, 4, 3],
          [336, 768],
        ],
        [
          [6, 4, 3],
          [592, 768],
        ],
        [
          [7, 4, 3],
          [848, 768],
        ],
      ],
      main: [4, 7, 3],
    },
  ],
  [
    'web',
    [4, 4],
    80,
    [5, 6, 3],
    {
      bbox: [-1565430.3392804097, -20037508.342789244, 20037508.342789244, 1565430.3392804097],
      size: [1104, 1104],
      grid_size: [4, 4],
      patterns: [
        [
          [4, 4, 3],
          [80, 80],
        ],
        [
          [5, 4, 3],
          [336, 80],
        ],
        [
          [6, 4, 3],
          [592, 80],
        ],
        [
          [7, 4, 3],
          [848, 80],
        ],
        [
          [4, 5, 3],
          [80, 336],
        ],
        [
          [5, 5, 3],
          [336, 336],
        ],
        [
          [6, 5, 3],
          [592, 336],
        ],
        [
          [7, 5, 3],
          [848, 336],
        ],
        [
          [4, 6, 3],
          [80, 592],
        ],
        [
          [5, 6, 3],
          [336, 592],
        ],
        [
          [6, 6, 3],
          [592, 592],
        ],
        [
          [7, 6, 3],
          [848, 592],
        ],
        [
          [4, 7, 3],
          [80, 848],
        ],
        [
          [5, 7, 3],
          [336, 848],
        ],
        [
          [6, 7, 3],
          [592, 848],
        ],
        [
          [7, 7, 3],
          [848, 848],
        ],
      ],
      main: [4, 4, 3],
    },
  ],
  [
    'web',
    [2, 2],
    0,
    [3, 3, 2],
    {
      bbox: [0.0, -20037508.34278924, 20037508.34278924, 0.0],
      size: [512, 512],
      grid_size: [2, 2],
      patterns: [
        [
          [2, 2, 2],
          [0, 0],
        ],
        [
          [3, 2, 2],
          [256, 0],
        ],
        [
          [2, 3, 2],
          [0, 256],
        ],
        [
          [3, 3, 2],
          [256, 256],
        ],
      ],
      main: [2, 2, 2],
    },
  ],
  [
    'merc',
    [4, 4],
    80,
    [0, 0, 1],
    {
      bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
      size: [512, 512],
      grid_size: [2, 2],
      patterns: [
        [
          [0, 1, 1],
          [0, 0],
        ],
        [
          [1, 1, 1],
          [256, 0],
        ],
        [
          [0, 0, 1],
          [0, 256],
        ],
        [
          [1, 0, 1],
          [256, 256],
        ],
      ],
      main: [0, 1, 1],
    },
  ],
  [
    'odd',
    [4, 4],
    80,
    [148, 28, 3],
    {
      bbox: [4780.8, 2000.0, 4840.0, 2059.2],
      size: [592, 592],
      grid_size: [4, 4],
      patterns: [
        [
          [148, 28, 3],
          [80, 80],
        ],
        [
          [149, 28, 3],
          [336, 80],
        ],
        [null, [592, 80]],
        [null, [848, 80]],
        [
          [148, 29, 3],
          [80, 336],
        ],
        [
          [149, 29, 3],
          [336, 336],
        ],
        [null, [592, 336]],
        [null, [848, 336]],
        [null, [80, 592]],
        [null, [336, 592]],
        [null, [592, 592]],
        [null, [848, 592]],
        [null, [80, 848]],
        [null, [336, 848]],
        [null, [592, 848]],
        [null, [848, 848]],
      ],
      main: [148, 28, 3],
    },
  ],
  [
    'odd',
    [3, 2],
    10,
    [4, 0, 2],
    {
      bbox: [1758.0, 2246.0, 2546.0, 2768.0],
      size: [788, 522],
      grid_size: [3, 2],
      patterns: [
        [
          [3, 0, 2],
          [10, 0],
        ],
        [
          [4, 0, 2],
          [266, 0],
        ],
        [
          [5, 0, 2],
          [522, 0],
        ],
        [
          [3, 1, 2],
          [10, 256],
        ],
        [
          [4, 1, 2],
          [266, 256],
        ],
        [
          [5, 1, 2],
          [522, 256],
        ],
      ],
      main: [3, 0, 2],
    },
  ],
  [
    'geo',
    [4, 4],
    80,
    [7, 3, 3],
    {
      bbox: [-14.0625, -90.0, 180.0, 90.0],
      size: [1104, 1024],
      grid_size: [4, 4],
      patterns: [
        [
          [4, 3, 3],
          [80, 0],
        ],
        [
          [5, 3, 3],
          [336, 0],
        ],
        [
          [6, 3, 3],
          [592, 0],
        ],
        [
          [7, 3, 3],
          [848, 0],
        ],
        [
          [4, 2, 3],
          [80, 256],
        ],
        [
          [5, 2, 3],
          [336, 256],
        ],
        [
          [6, 2, 3],
          [592, 256],
        ],
        [
          [7, 2, 3],
          [848, 256],
        ],
        [
          [4, 1, 3],
          [80, 512],
        ],
        [
          [5, 1, 3],
          [336, 512],
        ],
        [
          [6, 1, 3],
          [592, 512],
        ],
        [
          [7, 1, 3],
          [848, 512],
        ],
        [
          [4, 0, 3],
          [80, 768],
        ],
        [
          [5, 0, 3],
          [336, 768],
        ],
        [
          [6, 0, 3],
          [592, 768],
        ],
        [
          [7, 0, 3],
          [848, 768],
        ],
      ],
      main: [4, 3, 3],
    },
  ],
];

for (const [key, size, buffer, c, expected] of metaCases) {
  test(`metatile matches MapProxy: ${key} ${size.join('x')}+${buffer} around ${c.join('/')}`, () => {
    assertMetaTile(metaTile(createMetaGrid(grids[key], size, buffer), coord(c)), expected, key);
  });
}

test('GLOBAL_GEODETIC level 0 with 4x4 and buffer 80 is one 256x128 request clipped to the world', () => {
  const meta = metaTile(createMetaGrid(grids.geo, [4, 4], 80), { x: 0, y: 0, z: 0 });
  assert.deepEqual(meta.size, [256, 128]);
  assert.deepEqual(meta.bbox, [-180, -90, 180, 90]);
});

test('the tiles of a metatile are listed top row first and capped at the level size', () => {
  const meta = createMetaGrid(grids.web, [2, 2], 0);
  assert.deepEqual(metaTileCoords(meta, { x: 3, y: 3, z: 2 }), [
    { x: 2, y: 2, z: 2 },
    { x: 3, y: 2, z: 2 },
    { x: 2, y: 3, z: 2 },
    { x: 3, y: 3, z: 2 },
  ]);
  assert.deepEqual(metaTileCoords(createMetaGrid(grids.geo, [4, 4], 0), { x: 1, y: 0, z: 1 }), [
    { x: 0, y: 0, z: 1 },
    { x: 1, y: 0, z: 1 },
  ]);
});

const minimalCases: [GridKey, [number, number], number, Triple[], Expected][] = [
  [
    'merc',
    [4, 4],
    80,
    [
      [4, 4, 3],
      [5, 5, 3],
    ],
    {
      bbox: [-1565430.3392804097, -1565430.3392804097, 11584184.510675034, 11584184.510675034],
      size: [672, 672],
      grid_size: [2, 2],
      patterns: [
        [
          [4, 5, 3],
          [80, 80],
        ],
        [
          [5, 5, 3],
          [336, 80],
        ],
        [
          [4, 4, 3],
          [80, 336],
        ],
        [
          [5, 4, 3],
          [336, 336],
        ],
      ],
      main: [4, 5, 3],
    },
  ],
  [
    'web',
    [4, 4],
    80,
    [
      [4, 4, 3],
      [5, 5, 3],
      [4, 6, 3],
    ],
    {
      bbox: [-1565430.3392804097, -16593561.596372342, 11584184.510675034, 1565430.3392804097],
      size: [672, 928],
      grid_size: [2, 3],
      patterns: [
        [
          [4, 4, 3],
          [80, 80],
        ],
        [
          [5, 4, 3],
          [336, 80],
        ],
        [
          [4, 5, 3],
          [80, 336],
        ],
        [
          [5, 5, 3],
          [336, 336],
        ],
        [
          [4, 6, 3],
          [80, 592],
        ],
        [
          [5, 6, 3],
          [336, 592],
        ],
      ],
      main: [4, 4, 3],
    },
  ],
  [
    'geo',
    [4, 4],
    80,
    [
      [0, 0, 1],
      [1, 0, 1],
    ],
    {
      bbox: [-180.0, -90.0, 180.0, 90.0],
      size: [512, 256],
      grid_size: [2, 1],
      patterns: [
        [
          [0, 0, 1],
          [0, 0],
        ],
        [
          [1, 0, 1],
          [256, 0],
        ],
      ],
      main: [0, 0, 1],
    },
  ],
];

for (const [key, size, buffer, tiles, expected] of minimalCases) {
  test(`minimal metatile (minimize_meta_requests) matches MapProxy: ${key} ${tiles.length} tiles`, () => {
    assertMetaTile(
      minimalMetaTile(createMetaGrid(grids[key], size, buffer), tiles.map(coord)),
      expected,
      key,
    );
  });
}

interface ExpectedAffected {
  bbox: number[];
  size: number[];
  tiles: (number[] | null)[];
}
const affectedCases: [
  GridKey,
  [number, number],
  number,
  [number, number, number, number],
  number,
  ExpectedAffected,
][] = [
  [
    'web',
    [4, 4],
    80,
    [-20037508.342789244, 0, 0, 10000000],
    4,
    {
      bbox: [-20037508.342789244, -1.3969838619232178e-9, 1.3969838619232178e-9, 10018754.171394622],
      size: [2, 1],
      tiles: [
        [0, 4, 4],
        [4, 4, 4],
      ],
    },
  ],
  [
    'merc',
    [4, 4],
    80,
    [-20037508.342789244, 0, 0, 10000000],
    4,
    {
      bbox: [-20037508.342789244, 0.0, 1.3969838619232178e-9, 10018754.171394622],
      size: [2, 1],
      tiles: [
        [0, 8, 4],
        [4, 8, 4],
      ],
    },
  ],
  [
    'web',
    [4, 4],
    80,
    [-5000000, -5000000, 5000000, 5000000],
    4,
    {
      bbox: [-10018754.171394622, -2504688.5428486555, 10018754.171394622, 2504688.542848654],
      size: [2, 2],
      tiles: [
        [4, 4, 4],
        [8, 4, 4],
        [4, 8, 4],
        [8, 8, 4],
      ],
    },
  ],
  [
    'merc',
    [2, 2],
    80,
    [-5000000, -5000000, 5000000, 5000000],
    3,
    {
      bbox: [-10018754.171394622, -10018754.171394622, 10018754.171394624, 10018754.171394624],
      size: [2, 2],
      tiles: [
        [2, 4, 3],
        [4, 4, 3],
        [2, 2, 3],
        [4, 2, 3],
      ],
    },
  ],
];

for (const [key, size, buffer, bbox, level, expected] of affectedCases) {
  test(`affected metatiles match MapProxy: ${key} ${size.join('x')} level ${level}`, () => {
    const result = affectedMetaTiles(createMetaGrid(grids[key], size, buffer), bbox, level);
    assert.deepEqual(result.bbox, expected.bbox);
    assert.deepEqual(result.gridSize, expected.size);
    assert.deepEqual(
      result.tiles,
      expected.tiles.map((t) => t && coord(t as unknown as Triple)),
    );
  });
}

test('rejects a meta size below one and a negative buffer', () => {
  assert.throws(() => createMetaGrid(grids.merc, [0, 4], 80), {
    code: 'GRID_INVALID_OPTION',
    key: 'meta_size',
  });
  assert.throws(() => createMetaGrid(grids.merc, [4, 4], -1), {
    code: 'GRID_INVALID_OPTION',
    key: 'meta_buffer',
  });
  assert.throws(() => minimalMetaTile(createMetaGrid(grids.merc), []), { code: 'GRID_INVALID_OPTION' });
});
