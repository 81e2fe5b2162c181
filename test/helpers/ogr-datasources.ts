/**
 * The OGR data sources the coverage tests read (and mapproxy-1.15/coverage-ogr/capture.ts.txt gave
 * MapProxy), written with Debian's ogr2ogr: two squares, name 'a' in [0.5,0.5,4,4] and 'b' in
 * [6,6,9,9], and a GeoPackage layer `other` ('c' in [6,1,9,4]) after the first one.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const square = (name: string, [x0, y0, x1, y1]: readonly number[]) => ({
  type: 'Feature',
  properties: { name },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
  },
});

/** Writes `polys.geojson`, `polys.shp` and `polys.gpkg` (layers `polys`, then `other`) into `dir`. */
export async function writeOgrDatasources(dir: string): Promise<void> {
  const polys = {
    type: 'FeatureCollection',
    features: [square('a', [0.5, 0.5, 4, 4]), square('b', [6, 6, 9, 9])],
  };
  const other = { type: 'FeatureCollection', features: [square('c', [6, 1, 9, 4])] };
  await writeFile(join(dir, 'polys.geojson'), JSON.stringify(polys));
  await writeFile(join(dir, 'other.geojson'), JSON.stringify(other));
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(dir, 'polys.shp'), join(dir, 'polys.geojson')]);
  execFileSync('ogr2ogr', [
    '-f',
    'GPKG',
    join(dir, 'polys.gpkg'),
    join(dir, 'polys.geojson'),
    '-nln',
    'polys',
  ]);
  execFileSync('ogr2ogr', [
    '-update',
    '-f',
    'GPKG',
    join(dir, 'polys.gpkg'),
    join(dir, 'other.geojson'),
    '-nln',
    'other',
  ]);
}
