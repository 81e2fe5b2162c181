import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDatumGrids } from './datum-grids.js';

const DHDN_GK3 = '+proj=tmerc +lon_0=9 +x_0=3500000 +ellps=bessel +nadgrids=BETA2007.gsb +units=m';
const DHDN_GK3_HELMERT =
  '+proj=tmerc +lon_0=9 +x_0=3500000 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m';

test('keeps a loadable grid and keeps the Helmert stand-in for points outside it', () => {
  assert.deepEqual(
    resolveDatumGrids(DHDN_GK3, () => true),
    { definition: DHDN_GK3, fallback: DHDN_GK3_HELMERT },
  );
});

test('replaces a missing BETA2007 grid by the DHDN Helmert transformation', () => {
  assert.deepEqual(
    resolveDatumGrids(DHDN_GK3, () => false),
    { definition: DHDN_GK3_HELMERT, fallback: null },
  );
});

test('drops a missing required grid that has no known fallback', () => {
  assert.deepEqual(
    resolveDatumGrids('+proj=longlat +nadgrids=ntv1_can.dat +no_defs', () => false),
    {
      definition: '+proj=longlat +no_defs',
      fallback: null,
    },
  );
});

test('leaves a definition without grid files alone', () => {
  const merc = '+proj=merc +a=6378137 +b=6378137 +nadgrids=@null +no_defs';
  assert.deepEqual(
    resolveDatumGrids(merc, () => false),
    { definition: merc, fallback: null },
  );
});
