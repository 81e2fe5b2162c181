/**
 * Composition of the demo service: describes the config's WMS layers (native SRS from their
 * caches' grids and sources' `supported_srs`, extent from the grids) and the tile layers, and
 * lets the demo ask our own services for capabilities in-process.
 */
import type { LayerConfig, LoadedConfig } from '../config/index.js';
import type { TileLayer } from '../layer/index.js';
import {
  DEFAULT_RESTFUL_TEMPLATE,
  DemoService,
  type DemoWmsLayer,
  type InternalRequest,
  type Service,
} from '../service/index.js';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import { buildGrids } from './build-grids.js';

/** MapProxy's defaults for `globals: wms: srs` and the png/jpeg of `image_formats`, which the demo uses. */
const DEMO_SRS = ['EPSG:4326', 'EPSG:4258', 'CRS:84', 'EPSG:900913', 'EPSG:3857'];
const DEMO_IMAGE_FORMATS = ['image/png', 'image/jpeg'];
const WORLD: BBox = [-180, -90, 180, 90];

/** The demo for `loaded`; `routes` is read per request, so services registered later are found. */
export function buildDemoService(
  loaded: LoadedConfig,
  tileLayers: readonly TileLayer[],
  routes: Readonly<Record<string, Service>>,
): DemoService {
  const { services } = loaded.config;
  const wmtsKvp = services.wmts !== undefined && services.wmts.kvp !== false;
  const wmtsRestful = services.wmts !== undefined && services.wmts.restful !== false;
  const internalRequest: InternalRequest = async (path, query, original) => {
    const segment = path.split('/')[1] ?? '';
    const service = Object.hasOwn(routes, segment) ? routes[segment] : undefined;
    if (service === undefined) return null;
    return service.handle({ ...original, method: 'GET', path, query });
  };
  return new DemoService({
    wmsLayers: describeWmsLayers(loaded),
    tileLayers,
    services: {
      wms: services.wms !== undefined,
      wms111: services.wms !== undefined && (services.wms.versions?.includes('1.1.1') ?? true),
      wmts: services.wmts !== undefined,
      wmtsKvp,
      wmtsRestful,
      tms: services.tms !== undefined,
    },
    srs: demoSrs(services),
    imageFormats: DEMO_IMAGE_FORMATS,
    wmsFormats: services.wms?.image_formats ?? [],
    restfulTemplate: services.wmts?.restful_template ?? DEFAULT_RESTFUL_TEMPLATE,
    tmsUseGridNames: services.tms?.use_grid_names ?? false,
    internalRequest,
  });
}

/**
 * The SRS the demo offers: MapProxy 1.15 loads the services in the order of the `services`
 * mapping, and its WMS loader writes `services.wms.srs` over the default list that the demo
 * loader reads (`base_config.wms.srs = srs` in `wms_service`), so a demo listed after the WMS
 * offers the WMS's SRS and one listed before it the default.
 */
function demoSrs(services: LoadedConfig['config']['services']): readonly string[] {
  const order = Object.keys(services);
  const wms = services.wms;
  return wms !== undefined && order.indexOf('wms') < order.indexOf('demo') ? wms.srs : DEMO_SRS;
}

/**
 * The layers the demo lists, as MapProxy 1.15's demo loader takes them from its flattened layer
 * tree (`_flatten_layers_conf_dict`): children before their group, and only layers with a name
 * and sources of their own (a group without `sources` is not listed; a group's SRS are those of
 * its own sources).
 */
function describeWmsLayers(loaded: LoadedConfig): DemoWmsLayer[] {
  const { caches, sources } = loaded.config;
  const grids = buildGrids(loaded);
  const out: DemoWmsLayer[] = [];
  const visit = (layer: LayerConfig): void => {
    for (const child of layer.layers ?? []) visit(child);
    if (layer.name !== undefined && layer.sources !== undefined) {
      const nativeSrs: string[] = [];
      const extents: BBox[] = [];
      for (const name of layer.sources) {
        const cache = Object.hasOwn(caches, name) ? caches[name] : undefined;
        const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
        if (cache !== undefined) {
          for (const gridName of cache.grids) {
            const grid = grids.get(gridName);
            if (grid === undefined) continue;
            nativeSrs.push(grid.srs.code);
            extents.push(lonLatExtent(grid.srs.code, grid.bbox));
          }
        } else if (source?.type === 'wms') {
          nativeSrs.push(...(source.supported_srs ?? []));
          extents.push(WORLD);
        }
      }
      out.push({ name: layer.name, nativeSrs, extent: extents.length === 0 ? WORLD : union(extents) });
    }
  };
  for (const layer of loaded.config.layers) visit(layer);
  return out;
}

function lonLatExtent(srs: string, bbox: BBox): BBox {
  try {
    return getSrs(srs).transformBBox(getSrs('EPSG:4326'), bbox);
  } catch {
    return WORLD;
  }
}

function union(extents: readonly BBox[]): BBox {
  return [
    Math.max(-180, Math.min(...extents.map((e) => e[0]))),
    Math.max(-90, Math.min(...extents.map((e) => e[1]))),
    Math.min(180, Math.max(...extents.map((e) => e[2]))),
    Math.min(90, Math.max(...extents.map((e) => e[3]))),
  ];
}
