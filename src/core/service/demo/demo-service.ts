/**
 * `DemoService`: MapProxy's demo (`/demo/`): the index of layers and services, a viewer per layer
 * and SRS for WMS, WMTS and TMS, capabilities shown as HTML, and the static viewer files.
 */
import type { Service, ServiceRequest, ServiceResponse } from '../types.js';
import { escapeHtml as h, htmlResponse, notFoundPage, renderPage } from './html.js';
import { renderIndexPage } from './index-page.js';
import { findTileLayer, layerSrsChoices } from './layer-lists.js';
import { staticFile } from './static-files.js';
import type { DemoOptions } from './types.js';
import { renderTmsViewer, renderWmsViewer, renderWmtsViewer } from './viewer-pages.js';

const STATIC_PREFIX = '/demo/static/';

/** Which capabilities document a `?..._capabilities` query shows, and where our service answers it. */
const CAPABILITIES: readonly {
  readonly key: string;
  readonly service: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}[] = [
  { key: 'wms_capabilities', service: 'WMS', path: '/service', query: { request: 'GetCapabilities' } },
  {
    key: 'wmsc_capabilities',
    service: 'WMS-C',
    path: '/service',
    query: { request: 'GetCapabilities', tiled: 'true' },
  },
  {
    key: 'wmts_capabilities_kvp',
    service: 'WMTS',
    path: '/service',
    query: { request: 'GetCapabilities', service: 'WMTS' },
  },
  { key: 'wmts_capabilities', service: 'WMTS', path: '/wmts/1.0.0/WMTSCapabilities.xml', query: {} },
];

export class DemoService implements Service {
  readonly #options: DemoOptions;

  constructor(options: DemoOptions) {
    this.#options = options;
  }

  async handle(request: ServiceRequest): Promise<ServiceResponse> {
    const { path, query } = request;
    if (path.startsWith(STATIC_PREFIX)) return staticFile(path.slice(STATIC_PREFIX.length));
    // MapProxy DemoServer.handle: the first of these query keys decides the page
    if (query.wms_layer !== undefined) return this.#wmsViewer(query.wms_layer, query.srs, query.format);
    if (query.tms_layer !== undefined) return this.#tileViewer('tms', query.tms_layer, query.srs);
    if (query.wmts_layer !== undefined) return this.#tileViewer('wmts', query.wmts_layer, query.srs);
    for (const caps of CAPABILITIES) {
      if (query[caps.key] !== undefined)
        return this.#capabilities(request, caps.service, caps.path, caps.query);
    }
    if (query.tms_capabilities !== undefined) {
      let tmsPath = '/tms/1.0.0/';
      if (query.layer !== undefined && query.srs !== undefined) {
        // only a layer and SRS segment of our own TMS: no traversal, no other path
        const segment = (value: string): string => value.replace(/\.\.|[/\\?#]/g, '');
        tmsPath += `${segment(query.layer)}/${segment(query.srs)}`;
      }
      return this.#capabilities(request, 'TMS', tmsPath, {});
    }
    if (path === '/demo/') return htmlResponse(renderIndexPage(this.#options));
    return {
      status: 301,
      contentType: 'text/plain',
      body: '',
      cache: { kind: 'none' },
      headers: { Location: `${request.scriptUrl}/demo/` },
    };
  }

  #wmsViewer(name: string, srs: string | undefined, format: string | undefined): ServiceResponse {
    const options = this.#options;
    if (!options.services.wms) return notFoundPage('The WMS service is not enabled.');
    const layer = options.wmsLayers.find((l) => l.name === name);
    if (layer === undefined) return notFoundPage(`Unknown WMS layer "${name}".`);
    const choices = layerSrsChoices(layer, options.srs);
    const chosen = srs === undefined ? choices[0] : choices.find((c) => c.code === srs);
    if (chosen === undefined) return notFoundPage(`Layer "${name}" is not offered in SRS "${srs ?? ''}".`);
    // MapProxy's wms_demo takes the format as asked: a format of the WMS's own list (a GIF) is
    // kept (its viewer asks the WMS for it, no choice of the demo's list is selected); anything
    // else is replaced, not echoed
    const known = format !== undefined && [...options.imageFormats, ...options.wmsFormats].includes(format);
    const chosenFormat = known ? format : (options.imageFormats[0] ?? 'image/png');
    return htmlResponse(renderWmsViewer(options, layer, choices, chosen.code, chosenFormat));
  }

  #tileViewer(service: 'wmts' | 'tms', name: string, srs: string | undefined): ServiceResponse {
    const options = this.#options;
    const enabled = service === 'tms' ? options.services.tms : options.services.wmtsRestful;
    const label = service.toUpperCase();
    if (!enabled) return notFoundPage(`The ${label} service is not enabled.`);
    const layer = findTileLayer(options.tileLayers, name, srs, service);
    if (layer === null) return notFoundPage(`Unknown ${label} layer "${name}" in SRS "${srs ?? ''}".`);
    return htmlResponse(
      service === 'tms' ? renderTmsViewer(options, layer) : renderWmtsViewer(options, layer),
    );
  }

  async #capabilities(
    request: ServiceRequest,
    service: string,
    path: string,
    query: Readonly<Record<string, string>>,
  ): Promise<ServiceResponse> {
    // answered in-process by our own service: the demo never opens a URL
    const response = await this.#options.internalRequest(path, query, request);
    if (response === null) return notFoundPage(`The ${service} service is not enabled.`);
    // MapProxy's spelling: REQUEST and SERVICE upper case, `tiled` as its WMS-C clients send it
    const search = Object.entries(query)
      .map(([k, v]) => `${k === 'tiled' ? k : k.toUpperCase()}=${encodeURIComponent(v)}`)
      .join('&');
    const url = `${request.scriptUrl}${path}${search === '' ? '' : `?${search}`}`;
    const document = typeof response.body === 'string' ? response.body : response.body.toString('utf8');
    const body = `<h2>${h(service)} GetCapabilities</h2>
<a href="${h(url)}">${h(url)}</a>
<pre>
${h(document)}
</pre>`;
    return htmlResponse(renderPage({ menuTitle: 'Capabilities', body }));
  }
}
