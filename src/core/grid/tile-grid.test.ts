import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../../../test/helpers/assert-close.js';
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_MERCATOR,
  GLOBAL_WEBMERCATOR,
  type GridOptions,
  type Origin,
} from './index.js';

// Expected values: MapProxy 1.15 `mapproxy.grid.tile_grid(**options)` -> `.resolutions`, `.bbox`,
// `.grid_sizes`, `.origin`, `.tile_size` (Debian python3-mapproxy, pyproj 3.4.1 / PROJ 9.1.1).
// relTol 0: pure arithmetic, must match to the bit. relTol 1e-9: the bbox went through a
// reprojection (proj4js vs PROJ differ in the last digits).
interface Case {
  name: string;
  options: GridOptions;
  origin: Origin;
  tileSize: readonly number[];
  bbox: readonly number[];
  resolutions: readonly number[];
  gridSizes: readonly (readonly number[])[];
  relTol: number;
}

const cases: Case[] = [
  {
    name: 'GLOBAL_GEODETIC: 4326, 20 levels from 1.40625, sw',
    options: GLOBAL_GEODETIC,
    origin: 'll',
    tileSize: [256, 256],
    bbox: [-180.0, -90.0, 180.0, 90.0],
    resolutions: [
      1.40625,
      0.703125,
      0.3515625,
      0.17578125,
      0.087890625,
      0.0439453125,
      0.02197265625,
      0.010986328125,
      0.0054931640625,
      0.00274658203125,
      0.001373291015625,
      0.0006866455078125,
      0.00034332275390625,
      0.000171661376953125,
      8.58306884765625e-5,
      4.291534423828125e-5,
      2.1457672119140625e-5,
      1.40625 / 131072 /* 1.0728836059570312e-5, see no-loss-of-precision */,
      5.364418029785156e-6,
      2.682209014892578e-6,
    ],
    gridSizes: [
      [1, 1],
      [2, 1],
      [4, 2],
      [8, 4],
      [16, 8],
      [32, 16],
      [64, 32],
      [128, 64],
      [256, 128],
      [512, 256],
      [1024, 512],
      [2048, 1024],
      [4096, 2048],
      [8192, 4096],
      [16384, 8192],
      [32768, 16384],
      [65536, 32768],
      [131072, 65536],
      [262144, 131072],
      [524288, 262144],
    ],
    relTol: 0,
  },
  {
    name: 'GLOBAL_MERCATOR: 900913, 20 levels, sw',
    options: GLOBAL_MERCATOR,
    origin: 'll',
    tileSize: [256, 256],
    bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
    resolutions: [
      156543.03392804097, 78271.51696402048, 39135.75848201024, 19567.87924100512, 9783.93962050256,
      4891.96981025128, 2445.98490512564, 1222.99245256282, 611.49622628141, 305.748113140705,
      152.8740565703525, 76.43702828517625, 38.21851414258813, 19.109257071294063, 9.554628535647032,
      4.777314267823516, 2.388657133911758, 1.194328566955879, 0.5971642834779395, 0.29858214173896974,
    ],
    gridSizes: [
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
      [64, 64],
      [128, 128],
      [256, 256],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
      [4096, 4096],
      [8192, 8192],
      [16384, 16384],
      [32768, 32768],
      [65536, 65536],
      [131072, 131072],
      [262144, 262144],
      [524288, 524288],
    ],
    relTol: 0,
  },
  {
    name: 'GLOBAL_WEBMERCATOR: 3857, 20 levels, nw',
    options: GLOBAL_WEBMERCATOR,
    origin: 'ul',
    tileSize: [256, 256],
    bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
    resolutions: [
      156543.03392804097, 78271.51696402048, 39135.75848201024, 19567.87924100512, 9783.93962050256,
      4891.96981025128, 2445.98490512564, 1222.99245256282, 611.49622628141, 305.748113140705,
      152.8740565703525, 76.43702828517625, 38.21851414258813, 19.109257071294063, 9.554628535647032,
      4.777314267823516, 2.388657133911758, 1.194328566955879, 0.5971642834779395, 0.29858214173896974,
    ],
    gridSizes: [
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
      [64, 64],
      [128, 128],
      [256, 256],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
      [4096, 4096],
      [8192, 8192],
      [16384, 16384],
      [32768, 32768],
      [65536, 65536],
      [131072, 131072],
      [262144, 262144],
      [524288, 524288],
    ],
    relTol: 0,
  },
  {
    name: 'UTM 32 grid with its bbox given in EPSG:4326 (bbox_srs)',
    options: {
      srs: 'EPSG:25832',
      bbox: [5.5, 47.2, 15.5, 55.3],
      bboxSrs: 'EPSG:4326',
      origin: 'nw',
      numLevels: 12,
    },
    origin: 'ul',
    tileSize: [256, 256],
    bbox: [234917.5579160708, 5227874.7688700305, 992237.545250085, 6147441.049422797],
    resolutions: [
      3592.0557834092433, 1796.0278917046217, 898.0139458523108, 449.0069729261554, 224.5034864630777,
      112.25174323153885, 56.12587161576943, 28.062935807884713, 14.031467903942357, 7.015733951971178,
      3.507866975985589, 1.7539334879927946,
    ],
    gridSizes: [
      [1, 1],
      [2, 2],
      [4, 4],
      [7, 8],
      [14, 16],
      [27, 32],
      [53, 64],
      [106, 128],
      [211, 256],
      [422, 512],
      [844, 1024],
      [1687, 2048],
    ],
    relTol: 1e-9,
  },
  {
    name: 'non-square 512x256 tiles',
    options: { srs: 'EPSG:4326', tileSize: [512, 256], numLevels: 6 },
    origin: 'll',
    tileSize: [512, 256],
    bbox: [-180.0, -90.0, 180.0, 90.0],
    resolutions: [0.703125, 0.3515625, 0.17578125, 0.087890625, 0.0439453125, 0.02197265625],
    gridSizes: [
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
    ],
    relTol: 0,
  },
  {
    name: 'res_factor sqrt2 defaults to 40 levels',
    options: { srs: 'EPSG:3857', resFactor: 'sqrt2' },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
    resolutions: [
      156543.03392804097, 110692.64083803355, 78271.51696402048, 55346.320419016774, 39135.75848201024,
      27673.160209508387, 19567.87924100512, 13836.580104754194, 9783.93962050256, 6918.290052377097,
      4891.96981025128, 3459.1450261885484, 2445.98490512564, 1729.5725130942742, 1222.99245256282,
      864.7862565471371, 611.49622628141, 432.39312827356855, 305.748113140705, 216.19656413678427,
      152.8740565703525, 108.09828206839214, 76.43702828517625, 54.04914103419607, 38.21851414258813,
      27.024570517098034, 19.109257071294063, 13.512285258549017, 9.554628535647032, 6.756142629274509,
      4.777314267823516, 3.3780713146372543, 2.388657133911758, 1.6890356573186271, 1.194328566955879,
      0.8445178286593136, 0.5971642834779395, 0.4222589143296568, 0.29858214173896974, 0.2111294571648284,
    ],
    gridSizes: [
      [1, 1],
      [2, 2],
      [2, 2],
      [3, 3],
      [4, 4],
      [6, 6],
      [8, 8],
      [12, 12],
      [16, 16],
      [23, 23],
      [32, 32],
      [46, 46],
      [64, 64],
      [91, 91],
      [128, 128],
      [182, 182],
      [256, 256],
      [363, 363],
      [512, 512],
      [725, 725],
      [1024, 1024],
      [1449, 1449],
      [2048, 2048],
      [2897, 2897],
      [4096, 4096],
      [5793, 5793],
      [8192, 8192],
      [11586, 11586],
      [16384, 16384],
      [23171, 23171],
      [32768, 32768],
      [46341, 46341],
      [65536, 65536],
      [92682, 92682],
      [131072, 131072],
      [185364, 185364],
      [262144, 262144],
      [370728, 370728],
      [524288, 524288],
      [741456, 741456],
    ],
    relTol: 0,
  },
  {
    name: 'min_res + max_res + num_levels are log-spaced, both ends included',
    options: {
      srs: 'EPSG:25832',
      bbox: [200000, 5200000, 1000000, 6200000],
      minRes: 1000,
      maxRes: 10,
      numLevels: 6,
    },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [200000.0, 5200000.0, 1000000.0, 6200000.0],
    resolutions: [1000.0, 398.1071705534973, 158.48931924611142, 63.0957344480193, 25.118864315095795, 10.0],
    gridSizes: [
      [4, 4],
      [8, 10],
      [20, 25],
      [50, 62],
      [125, 156],
      [313, 391],
    ],
    relTol: 0,
  },
  {
    name: 'max_res + res_factor stop before reaching max_res',
    options: { srs: 'EPSG:25832', bbox: [200000, 5200000, 1000000, 6200000], maxRes: 100, resFactor: 2.0 },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [200000.0, 5200000.0, 1000000.0, 6200000.0],
    resolutions: [3906.25, 1953.125, 976.5625, 488.28125, 244.140625, 122.0703125],
    gridSizes: [
      [1, 1],
      [2, 2],
      [4, 4],
      [7, 8],
      [13, 16],
      [26, 32],
    ],
    relTol: 0,
  },
  {
    name: 'min_res + num_levels + numeric res_factor',
    options: { srs: 'EPSG:4326', bbox: [5, 45, 15, 55], minRes: 0.01, numLevels: 5, resFactor: 3.0 },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [5.0, 45.0, 15.0, 55.0],
    resolutions: [
      0.01, 0.0033333333333333335, 0.0011111111111111111, 0.00037037037037037035, 0.0001234567901234568,
    ],
    gridSizes: [
      [4, 4],
      [12, 12],
      [36, 36],
      [106, 106],
      [317, 317],
    ],
    relTol: 0,
  },
  {
    name: 'an explicit res list wins and is sorted coarsest first; bbox as a string',
    options: { srs: 'EPSG:31467', bbox: '3300000,5200000,3700000,6100000', res: [10, 1000, 100, 500.5] },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [3300000.0, 5200000.0, 3700000.0, 6100000.0],
    resolutions: [1000, 500.5, 100, 10],
    gridSizes: [
      [2, 4],
      [4, 8],
      [16, 36],
      [157, 352],
    ],
    relTol: 0,
  },
  {
    name: 'grid sizes of a bbox that is not a multiple of the tile size',
    options: { srs: 'EPSG:3857', bbox: [1000, 2000, 4840, 2768], res: [10, 5, 1, 0.1] },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [1000.0, 2000.0, 4840.0, 2768.0],
    resolutions: [10, 5, 1, 0.1],
    gridSizes: [
      [2, 1],
      [3, 1],
      [15, 3],
      [150, 30],
    ],
    relTol: 0,
  },
  {
    name: 'the documentation example localgrid in UTM 32 (bbox_srs 4326, min_res, sqrt2)',
    options: {
      srs: 'EPSG:25832',
      bbox: [5, 50, 10, 55],
      bboxSrs: 'EPSG:4326',
      minRes: 10000,
      resFactor: 'sqrt2',
    },
    origin: 'll',
    tileSize: [256, 256],
    bbox: [213372.04896120238, 5538660.646209965, 571666.4475041275, 6102110.745470324],
    resolutions: [
      10000, 7071.067811865475, 4999.999999999999, 3535.5339059327366, 2499.999999999999, 1767.766952966368,
      1249.9999999999993, 883.8834764831838, 624.9999999999995, 441.94173824159185, 312.4999999999997,
      220.9708691207959, 156.24999999999986, 110.48543456039795, 78.12499999999993, 55.242717280198974,
      39.062499999999964, 27.621358640099487, 19.531249999999982, 13.810679320049744, 9.765624999999991,
      6.905339660024872, 4.882812499999996, 3.452669830012436, 2.441406249999998, 1.726334915006218,
      1.220703124999999, 0.863167457503109, 0.6103515624999994, 0.4315837287515545, 0.3051757812499997,
      0.21579186437577724, 0.15258789062499986, 0.10789593218788862, 0.07629394531249993, 0.05394796609394431,
      0.038146972656249965, 0.026973983046972155, 0.019073486328124983, 0.013486991523486078,
    ],
    gridSizes: [
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 2],
      [2, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 8],
      [7, 10],
      [9, 15],
      [13, 20],
      [18, 29],
      [26, 40],
      [36, 57],
      [51, 80],
      [72, 113],
      [102, 160],
      [144, 226],
      [203, 319],
      [287, 451],
      [406, 638],
      [574, 902],
      [811, 1275],
      [1147, 1804],
      [1622, 2550],
      [2294, 3607],
      [3243, 5100],
      [4587, 7213],
      [6486, 10200],
      [9173, 14425],
      [12972, 20400],
      [18345, 28849],
      [25944, 40799],
      [36690, 57698],
      [51887, 81597],
      [73379, 115395],
      [103774, 163193],
    ],
    relTol: 1e-9,
  },
];

for (const c of cases) {
  test(`grid matches MapProxy: ${c.name}`, () => {
    const grid = createTileGrid(c.options);
    assert.equal(grid.origin, c.origin);
    assert.deepEqual(grid.tileSize, c.tileSize);
    assertClose(grid.bbox, c.bbox, c.relTol, 'bbox');
    assertClose(grid.resolutions, c.resolutions, c.relTol, 'resolutions');
    assert.deepEqual(grid.gridSizes, c.gridSizes);
  });
}

test('named grids keep their name and SRS code', () => {
  const names = [GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR].map((options) => {
    const grid = createTileGrid(options);
    return [grid.name, grid.srs.code];
  });
  assert.deepEqual(names, [
    ['GLOBAL_GEODETIC', 'EPSG:4326'],
    ['GLOBAL_MERCATOR', 'EPSG:900913'],
    ['GLOBAL_WEBMERCATOR', 'EPSG:3857'],
  ]);
});

test('a grid without srs is EPSG:900913 with origin ll and the mercator extent', () => {
  const grid = createTileGrid();
  assert.equal(grid.srs.code, 'EPSG:900913');
  assert.equal(grid.origin, 'll');
  assert.equal(grid.resolutions.length, 20);
  assert.equal(grid.resolutions[0], 156543.03392804097);
  assert.equal(grid.stretchFactor, 1.15);
  assert.equal(grid.maxShrinkFactor, 4);
});

test('origin spellings sw/ll and nw/ul are accepted in any case; others are rejected', () => {
  assert.equal(createTileGrid({ origin: 'sw' }).origin, 'll');
  assert.equal(createTileGrid({ origin: 'NW' as 'nw' }).origin, 'ul');
  assert.throws(() => createTileGrid({ origin: 'ne' as 'nw' }), {
    code: 'GRID_INVALID_OPTION',
    key: 'origin',
  });
});

test('grid sizes use Python float floor division (0.7 // 0.1 == 6, not 7)', () => {
  // MapProxy: tile_grid(srs='EPSG:3857', bbox=[0,0,0.3,0.7], res=[0.1], tile_size=(3,7)).grid_sizes == [(1, 1)]
  // and bbox=[0,0,1,1], tile_size=(9,9) -> [(1, 1)] although 1 / 0.1 == 10 in floating point
  assert.deepEqual(
    createTileGrid({ srs: 3857, bbox: [0, 0, 0.3, 0.7], res: [0.1], tileSize: [3, 7] }).gridSizes,
    [[1, 1]],
  );
  assert.deepEqual(
    createTileGrid({ srs: 3857, bbox: [0, 0, 1, 1], res: [0.1], tileSize: [9, 9] }).gridSizes,
    [[1, 1]],
  );
});

test('max_res with res_factor stops before a level that equals max_res', () => {
  // MapProxy: tile_grid(srs='EPSG:25832', bbox=[0,0,256000,256000], min_res=1000, max_res=250).resolutions
  const grid = createTileGrid({ srs: 'EPSG:25832', bbox: [0, 0, 256000, 256000], minRes: 1000, maxRes: 250 });
  assert.deepEqual(grid.resolutions, [1000, 500]);
});

test('threshold_res is kept ascending', () => {
  const grid = createTileGrid({
    res: [1000, 500, 200],
    thresholdRes: [300, 700],
    bbox: [0, 0, 256000, 256000],
  });
  assert.deepEqual(grid.thresholdRes, [300, 700]);
});

test('an SRS other than 4326 and the mercator codes needs a bbox', () => {
  assert.throws(() => createTileGrid({ srs: 'EPSG:25832' }), {
    name: 'GridError',
    code: 'GRID_MISSING_BBOX',
    key: 'bbox',
    message: 'need a bbox for grid with EPSG:25832',
  });
  // CRS:84 has the math of 4326 but, as in MapProxy, no default bbox
  assert.throws(() => createTileGrid({ srs: 'CRS:84' }), { code: 'GRID_MISSING_BBOX' });
  for (const srs of ['EPSG:102100', 'EPSG:102113', 'epsg:3857', 4326]) {
    assert.equal(createTileGrid({ srs }).resolutions.length, 20, String(srs));
  }
});

test('an unknown srs or bbox_srs is a GridError naming the key, with the SrsError as cause', () => {
  assert.throws(
    () => createTileGrid({ srs: 'EPSG:999999', bbox: [0, 0, 1, 1] }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: string }).code, 'GRID_UNKNOWN_SRS');
      assert.equal((error as { key?: string }).key, 'srs');
      assert.equal((error.cause as { code?: string }).code, 'SRS_UNKNOWN');
      return true;
    },
  );
  assert.throws(() => createTileGrid({ srs: 4326, bbox: [0, 0, 1, 1], bboxSrs: 'FOO:1' }), {
    code: 'GRID_UNKNOWN_SRS',
    key: 'bbox_srs',
  });
});

test('res cannot be combined with min_res, max_res or align_resolutions_with', () => {
  assert.throws(() => createTileGrid({ res: [10, 5], minRes: 10 }), {
    code: 'GRID_INVALID_OPTION',
    key: 'res',
  });
  assert.throws(() => createTileGrid({ res: [10, 5], maxRes: 5 }), {
    code: 'GRID_INVALID_OPTION',
    key: 'res',
  });
});

test('rejects an inverted bbox and a bbox without four values', () => {
  assert.throws(() => createTileGrid({ srs: 4326, bbox: [10, 0, 0, 10] }), { code: 'GRID_INVALID_BBOX' });
  assert.throws(() => createTileGrid({ srs: 4326, bbox: '1,2,3' }), { code: 'GRID_INVALID_BBOX' });
});
