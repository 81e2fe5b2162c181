import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OGC_DPI, resolutionToScale, scaleToResolution } from './index.js';

// Expected values: MapProxy 1.15 `mapproxy.script.scales`: scale_to_res(scale, dpi, unit_factor) and
// res_to_scale(res, dpi, unit_factor) with DEFAULT_DPIS['OGC'] and unit factor 111319.4907932736
// for degrees. Same formulas, so compared exactly.

test('the OGC DPI is the 0.28 mm pixel', () => {
  assert.equal(OGC_DPI, 90.71428571428572);
});

const scaleCases: [number, number, number, number][] = [
  [1000000, 280.0, 0.0025152827955346596, 264.58333333333337],
  [559082264.0287178, 156543.03392804097, 1.4062499999999998, 147923.84902426493],
  [25000, 6.999999999999999, 6.288206988836648e-5, 6.614583333333334],
  [1, 0.00028, 2.515282795534659e-9, 0.00026458333333333336],
];

test('scale denominators convert to resolutions in metres and degrees', () => {
  for (const [scale, metres, degrees, at96] of scaleCases) {
    assert.equal(scaleToResolution(scale), metres, `${scale} m`);
    assert.equal(scaleToResolution(scale, OGC_DPI, 'd'), degrees, `${scale} d`);
    assert.equal(scaleToResolution(scale, 96), at96, `${scale} @96`);
  }
});

const resCases: [number, number, number, number][] = [
  [156543.03392804097, 559082264.0287178, 62236752943227.41, 443744033.18184847],
  [1.40625, 5022.321428571429, 559082264.0287179, 3986.2204724409453],
  [10, 35714.28571428572, 3975696099.759772, 28346.456692913387],
];

test('resolutions convert to scale denominators in metres and degrees', () => {
  for (const [res, metres, degrees, at72] of resCases) {
    assert.equal(resolutionToScale(res), metres, `${res} m`);
    assert.equal(resolutionToScale(res, OGC_DPI, 'd'), degrees, `${res} d`);
    assert.equal(resolutionToScale(res, 72), at72, `${res} @72`);
  }
});
