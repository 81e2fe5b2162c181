/** seed.yaml coverages from OGR data sources: `where` and `ogr_datasource` select the polygons. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeOgrDatasources } from '../../../test/helpers/ogr-datasources.js';
import { needs } from '../../../test/helpers/system-programs.js';
import { loadCoverage } from './load-coverage.js';

test(
  'where and ogr_where pick the polygons of a shapefile; a bad where is a SEED_COVERAGE error',
  { skip: needs('ogr2ogr') },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'seed-ogr-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeOgrDatasources(dir);
    const shp = join(dir, 'polys.shp');
    assert.deepEqual((await loadCoverage({ datasource: shp, srs: 'EPSG:4326' })).bbox, [0.5, 0.5, 9, 9]);
    assert.deepEqual(
      (await loadCoverage({ datasource: shp, where: "name = 'a'", srs: 'EPSG:4326' })).bbox,
      [0.5, 0.5, 4, 4],
    );
    const ogr = await loadCoverage({ ogr_datasource: shp, ogr_where: "name = 'b'", ogr_srs: 'EPSG:4326' });
    assert.deepEqual(ogr.bbox, [6, 6, 9, 9]);
    await assert.rejects(loadCoverage({ datasource: shp, where: "nme = 'a'", srs: 'EPSG:4326' }), {
      code: 'SEED_COVERAGE',
      message: /"nme" not recognised as an available field/,
    });
  },
);
