/**
 * The demo index (MapProxy `demo/demo.html`): version, then WMS, WMS-C, WMTS and TMS with their
 * capabilities links and a row per layer and SRS leading to the viewers.
 */
import { VERSION } from '../../util/index.js';
import { escapeHtml as h, renderPage } from './html.js';
import { canServe, groupTileLayers, layerSrsChoices, tmsNamePath } from './layer-lists.js';
import type { DemoOptions } from './types.js';

const NOT_AVAILABLE = `<div class="capabilities">
  <span>This service is not available with the current configuration.</span>
</div>`;

function capabilitiesLinks(label: string, xmlHref: string, htmlHref: string): string {
  return `<div class="capabilities">
  <span>${label}</span>
  <span><a href="${h(xmlHref)}">(download as xml)</a></span>
  <span><a href="${h(htmlHref)}">(view as html)</a></span>
</div>`;
}

/** `../demo/?key=value&...` with every value URL-encoded, ready for an (escaped) href. */
export function demoHref(params: Readonly<Record<string, string>>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `../demo/?${query}`;
}

function wmsSection(options: DemoOptions): string {
  if (!options.services.wms) return NOT_AVAILABLE;
  const links = capabilitiesLinks(
    'Capabilities document',
    '../service?REQUEST=GetCapabilities',
    '../demo/?wms_capabilities',
  );
  if (!options.services.wms111) {
    return `${links}
<div class="capabilities">
  <span>The demo service only supports WMS 1.1.1. Enable 1.1.1 to see a list of your configured layers.</span>
</div>`;
  }
  const rows = options.wmsLayers.flatMap((layer) =>
    options.imageFormats.map((format, i) => {
      const choices = layerSrsChoices(layer, options.srs)
        .map((c) => `<option value="${h(c.code)}">${h(c.label)}</option>`)
        .join('');
      const nameCell = i === 0 ? `<td rowspan="${options.imageFormats.length}">${h(layer.name)}</td>` : '';
      return `<tr>${nameCell}
  <td class="value epsg-codes"><form action="" method="GET">
    <select name="srs" onchange="this.form.submit()">${choices}</select>
    <input type="hidden" name="format" value="${h(format)}">
    <input type="hidden" name="wms_layer" value="${h(layer.name)}">
    <button type="submit">${h(format.split('/')[1] ?? format)}</button>
  </form></td>
</tr>`;
    }),
  );
  return `${links}
<table class="code">
<tr><th>Layer</th><th>Coordinate-System / Image-Format</th></tr>
${rows.join('\n')}
</table>
<p>Coordinate systems marked with * are supported without reprojection.</p>`;
}

function tileSection(options: DemoOptions, service: 'wmts' | 'tms'): string {
  const rows: string[] = [];
  for (const [name, layers] of groupTileLayers(options.tileLayers)) {
    layers.forEach((layer, i) => {
      const nameCell = i === 0 ? `<td rowspan="${layers.length}">${h(name)}</td>` : '';
      const srs = layer.grid.srs.code;
      if (!canServe(layer, service)) {
        const span = service === 'tms' ? 3 : 2;
        rows.push(
          `<tr>${nameCell}<td class="value" colspan="${span}">${h(layer.gridName)} not compatible with ${service.toUpperCase()}</td></tr>`,
        );
        return;
      }
      const href = h(demoHref({ [`${service}_layer`]: name, format: layer.extension, srs }));
      let cells = `<td class="value"><a href="${href}">${h(srs)}</a></td><td class="value"><a href="${href}">${h(layer.extension)}</a></td>`;
      if (service === 'tms') {
        const [, spec] = tmsNamePath(options, layer);
        const capsHref = `../demo/?tms_capabilities&layer=${encodeURIComponent(name)}&srs=${encodeURIComponent(spec)}`;
        cells += `<td class="value"><a href="${h(capsHref)}">click here</a></td>`;
      }
      rows.push(`<tr>${nameCell}${cells}</tr>`);
    });
  }
  const header =
    service === 'tms'
      ? '<tr><th>Layer</th><th>Coordinate-System</th><th>Image-Format</th><th>Layer Capabilities</th></tr>'
      : '<tr><th>Layer</th><th>Coordinate-System</th><th>Image-Format</th></tr>';
  return `<table class="code">\n${header}\n${rows.join('\n')}\n</table>`;
}

function wmtsSection(options: DemoOptions): string {
  const { services } = options;
  if (!services.wmts) return NOT_AVAILABLE;
  const kvp = services.wmtsKvp
    ? capabilitiesLinks(
        'KVP capabilities document',
        '../service?REQUEST=GetCapabilities&SERVICE=WMTS',
        '../demo/?wmts_capabilities_kvp',
      )
    : '';
  const rest = services.wmtsRestful
    ? capabilitiesLinks(
        'RESTful capabilities document',
        '../wmts/1.0.0/WMTSCapabilities.xml',
        '../demo/?wmts_capabilities',
      )
    : '';
  return `${kvp}\n${rest}\n${tileSection(options, 'wmts')}`;
}

function tmsSection(options: DemoOptions): string {
  if (!options.services.tms) return NOT_AVAILABLE;
  const links = capabilitiesLinks('Capabilities document', '../tms/1.0.0/', '../demo/?tms_capabilities');
  return `${links}\n${tileSection(options, 'tms')}`;
}

/** The whole index page. */
export function renderIndexPage(options: DemoOptions): string {
  const wmsc = options.services.wms
    ? capabilitiesLinks(
        'Capabilities document',
        '../service?REQUEST=GetCapabilities&tiled=true',
        '../demo/?wmsc_capabilities',
      )
    : NOT_AVAILABLE;
  const body = `<h2>About</h2>
<p>MapProxy Version ${h(VERSION)} (mapproxy-ts)</p>
<h2>WMS</h2>
${wmsSection(options)}
<h2>WMS-C</h2>
${wmsc}
<h2>WMTS</h2>
${wmtsSection(options)}
<h2>TMS</h2>
${tmsSection(options)}`;
  return renderPage({ body });
}
