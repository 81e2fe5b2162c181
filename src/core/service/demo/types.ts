/**
 * What the demo service shows, described by `app/build-demo.ts`: the WMS layers of the config's
 * `layers:`, the tile layers, and which services are enabled. Plain data, no runtime objects.
 */
import type { TileLayer } from '../../layer/index.js';
import type { BBox } from '../../util/index.js';
import type { ServiceRequest, ServiceResponse } from '../types.js';

/** A named layer of `layers:` as a WMS layer. */
export interface DemoWmsLayer {
  readonly name: string;
  /** SRS codes the layer serves without reprojection (its caches' grids, its sources' `supported_srs`). */
  readonly nativeSrs: readonly string[];
  /** Where the layer has data, in EPSG:4326 (lon/lat order). */
  readonly extent: BBox;
}

/** MapProxy's `services` list of the demo: which capabilities links and tables the index shows. */
export interface DemoServices {
  readonly wms: boolean;
  /** WMS 1.1.1 is among `services.wms.versions` (the demo's WMS client speaks 1.1.1 only). */
  readonly wms111: boolean;
  readonly wmts: boolean;
  readonly wmtsKvp: boolean;
  readonly wmtsRestful: boolean;
  readonly tms: boolean;
}

/**
 * Answers a request for one of our own services in-process (e.g. `/tms/1.0.0/`); null when no
 * service is registered for the path. The demo never fetches anything over the network.
 */
export type InternalRequest = (
  path: string,
  query: Readonly<Record<string, string>>,
  original: ServiceRequest,
) => Promise<ServiceResponse | null>;

export interface DemoOptions {
  readonly wmsLayers: readonly DemoWmsLayer[];
  readonly tileLayers: readonly TileLayer[];
  readonly services: DemoServices;
  /** `globals wms.srs` (MapProxy's default list): the SRS offered for every WMS layer. */
  readonly srs: readonly string[];
  /** The WMS image formats the demo offers (png and jpeg of `image_formats`). */
  readonly imageFormats: readonly string[];
  /** The WMS's GetMap formats (`services.wms.image_formats`): a viewer may ask for any of them. */
  readonly wmsFormats: readonly string[];
  /** `services.wmts.restful_template`. */
  readonly restfulTemplate: string;
  /** `services.tms.use_grid_names`: TMS paths use the grid name instead of `EPSGnnnn`. */
  readonly tmsUseGridNames: boolean;
  readonly internalRequest: InternalRequest;
}
