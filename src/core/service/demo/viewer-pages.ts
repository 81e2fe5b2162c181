/**
 * The viewer pages (MapProxy `wms_demo.html`, `tms_demo.html`, `wmts_demo.html`): an SRS select,
 * the map, and the settings the viewer script reads from a `#demo-config` JSON block. Every value
 * taken from the request or the config is escaped; only our own service URLs reach the viewer.
 */
import { tmsGridInfo } from '../../grid/index.js';
import type { TileLayer } from '../../layer/index.js';
import { getSrs } from '../../srs/index.js';
import type { BBox } from '../../util/index.js';
import { escapeHtml as h, renderPage, scriptJson } from './html.js';
import { canServe, tmsNamePath, type SrsChoice } from './layer-lists.js';
import type { DemoOptions } from './types.js';

/** SRS codes OpenLayers knows without proj4 (ol/proj/epsg3857 and epsg4326 aliases). */
const OL_BUILTIN_SRS = new Set([
  'EPSG:3857',
  'EPSG:900913',
  'EPSG:102100',
  'EPSG:102113',
  'EPSG:3785',
  'EPSG:4326',
  'CRS:84',
]);

/** What viewer-js.ts reads: a WMS image layer or a tile layer, in one SRS, fitted to `fit`. */
interface ViewerConfig {
  readonly srs: string;
  readonly proj4Definition: string | null;
  readonly fit: BBox;
  readonly wms?: { readonly url: string; readonly params: Readonly<Record<string, string | boolean>> };
  readonly tiles?: {
    /** Relative URL with `{z}`, `{x}`, `{y}`. */
    readonly url: string;
    readonly origin: readonly [number, number];
    /** TMS rows count up from the origin; WMTS rows down. */
    readonly rowsUp: boolean;
    readonly resolutions: readonly number[];
    readonly tileSize: readonly [number, number];
    readonly extent: BBox;
  };
}

function viewerPage(menuTitle: string, body: string, config: ViewerConfig): string {
  const proj4 = config.proj4Definition === null ? '' : '\n<script src="static/proj4.js"></script>';
  return renderPage({
    menuTitle,
    head: '\n    <link rel="stylesheet" type="text/css" href="static/ol.css">',
    body,
    scripts: `<script type="application/json" id="demo-config">${scriptJson(config)}</script>
<script src="static/ol.js"></script>${proj4}
<script src="static/viewer.js"></script>`,
  });
}

function proj4Definition(code: string): string | null {
  return OL_BUILTIN_SRS.has(code) ? null : getSrs(code).definition;
}

function srsSelect(choices: readonly SrsChoice[], selected: string): string {
  const options = choices.map(
    (c) => `<option${c.code === selected ? ' selected' : ''} value="${h(c.code)}">${h(c.label)}</option>`,
  );
  return `<select name="srs" onchange="this.form.submit()">${options.join('')}</select>`;
}

function isFiniteBBox(bbox: BBox): boolean {
  return bbox.every(Number.isFinite) && bbox[0] < bbox[2] && bbox[1] < bbox[3];
}

/** The lon/lat `extent` in `srs`; poles are cut off for projections that cannot reach them. */
export function extentIn(extent: BBox, srs: string): BBox {
  const target = getSrs(srs);
  const wgs84 = getSrs('EPSG:4326');
  for (const limit of [90, 85.0511287798066, 80]) {
    const clipped: BBox = [extent[0], Math.max(extent[1], -limit), extent[2], Math.min(extent[3], limit)];
    try {
      const bbox = wgs84.transformBBox(target, clipped);
      if (isFiniteBBox(bbox)) return bbox;
    } catch {
      // outside the projection's domain: try a smaller extent
    }
  }
  return target.isGeographic ? [-180, -90, 180, 90] : wgs84.transformBBox(target, [-1, -1, 1, 1]);
}

/** The WMS viewer of `layer` in `srs` with `format` (both already validated). */
export function renderWmsViewer(
  options: DemoOptions,
  layer: { readonly name: string; readonly extent: BBox },
  choices: readonly SrsChoice[],
  srs: string,
  format: string,
): string {
  const bbox = extentIn(layer.extent, srs);
  const formatOptions = options.imageFormats.map(
    (f) => `<option${f === format ? ' selected' : ''} value="${h(f)}">${h(f.split('/')[1] ?? f)}</option>`,
  );
  const body = `<h2>OpenLayers Client - Layer ${h(layer.name)}</h2>
<form action="" method="GET">
  <table>
    <tr><th>Coordinate System</th><th>Image format</th></tr>
    <tr><td>${srsSelect(choices, srs)}</td>
      <td><select name="format" onchange="this.form.submit()">${formatOptions.join('')}</select></td></tr>
  </table>
  <input type="hidden" name="wms_layer" value="${h(layer.name)}">
</form>
<div id="map"></div>
<h3>Bounding Box</h3>
<p class="code">${h(bbox.join(', '))}</p>`;
  // MapProxy's WMS demo: WMS 1.1.1, in-image exceptions, transparent PNG
  const params: Record<string, string | boolean> = {
    LAYERS: layer.name,
    FORMAT: format,
    VERSION: '1.1.1',
    EXCEPTIONS: 'application/vnd.ogc.se_inimage',
  };
  if (format === 'image/png') params.TRANSPARENT = true;
  return viewerPage(`WMS ${layer.name} ${srs}`, body, {
    srs,
    proj4Definition: proj4Definition(srs),
    fit: bbox,
    wms: { url: '../service?', params },
  });
}

function otherSrsChoices(options: DemoOptions, layer: TileLayer, service: 'wmts' | 'tms'): SrsChoice[] {
  const codes = options.tileLayers
    .filter((l) => l.name === layer.name && canServe(l, service))
    .map((l) => l.grid.srs.code);
  return [...new Set(codes)].map((code) => ({ label: code, code }));
}

function tileViewerBody(
  options: DemoOptions,
  layer: TileLayer,
  service: 'wmts' | 'tms',
  extra: string,
): string {
  const srs = layer.grid.srs.code;
  return `<h2>OpenLayers Client - Layer ${h(layer.name)}</h2>
<form action="" method="GET">
  <table>
    <tr><th>Coordinate System</th><th>Image format</th></tr>
    <tr><td>${srsSelect(otherSrsChoices(options, layer, service), srs)}
      <input type="hidden" name="format" value="${h(layer.extension)}">
      <input type="hidden" name="${service}_layer" value="${h(layer.name)}"></td>
      <td>${h(layer.extension)}</td></tr>
  </table>
</form>
<div id="map"></div>
<h3>Bounding Box</h3>
<p class="code">${h(layer.grid.bbox.join(', '))}</p>${extra}`;
}

/** The TMS viewer: TMS levels and resolutions (profiles skip grid levels), rows from the bottom. */
export function renderTmsViewer(options: DemoOptions, layer: TileLayer): string {
  const { grid } = layer;
  const tileSets = tmsGridInfo(grid).tileSets;
  const levels = tileSets.map(([level, res]) => `<tr><td>${level}</td><td>${res}</td></tr>`).join('\n');
  const extra = `\n<h3>Level and Resolutions</h3>
<table class="code">
<tr><th>Level</th><th>Resolution</th></tr>
${levels}
</table>`;
  const path = tmsNamePath(options, layer).map(encodeURIComponent).join('/');
  return viewerPage(`TMS ${layer.name} ${grid.srs.code}`, tileViewerBody(options, layer, 'tms', extra), {
    srs: grid.srs.code,
    proj4Definition: proj4Definition(grid.srs.code),
    fit: layer.extent,
    tiles: {
      url: `../tms/1.0.0/${path}/{z}/{x}/{y}.${encodeURIComponent(layer.extension)}`,
      origin: [grid.bbox[0], grid.bbox[1]],
      rowsUp: true,
      resolutions: tileSets.map(([, res]) => res),
      tileSize: grid.tileSize,
      extent: grid.bbox,
    },
  });
}

/** The WMTS viewer over the RESTful template: TileMatrix = grid level, rows from the top. */
export function renderWmtsViewer(options: DemoOptions, layer: TileLayer): string {
  const { grid } = layer;
  const url = options.restfulTemplate
    .replace('{Layer}', encodeURIComponent(layer.name))
    .replace('{TileMatrixSet}', encodeURIComponent(layer.gridName))
    .replace('{Format}', encodeURIComponent(layer.extension))
    .replace('{Style}', 'default')
    .replace('{TileMatrix}', '{z}')
    .replace('{TileCol}', '{x}')
    .replace('{TileRow}', '{y}');
  return viewerPage(`WMTS ${layer.name} ${grid.srs.code}`, tileViewerBody(options, layer, 'wmts', ''), {
    srs: grid.srs.code,
    proj4Definition: proj4Definition(grid.srs.code),
    fit: layer.extent,
    tiles: {
      url: `../wmts${url}`,
      origin: [grid.bbox[0], grid.bbox[3]],
      rowsUp: false,
      resolutions: grid.resolutions,
      tileSize: grid.tileSize,
      extent: grid.bbox,
    },
  });
}
