/**
 * Composition of `services`: TMS (also `/tiles`), WMTS (KVP through the OWS dispatcher, RESTful on
 * `/wmts`) and KML over the tile layers, as the routes the server answers. `md` of the tile
 * services inherits `services.wms.md`, as MapProxy does.
 */
import { configErrorAt, type LoadedConfig } from '../config/index.js';
import type { TileLayer } from '../layer/index.js';
import {
  KmlService,
  OwsService,
  ServiceError,
  TmsService,
  WmtsKvpService,
  WmtsRestService,
  type Service,
  type ServiceMetadata,
} from '../service/index.js';
import { buildDemoService } from './build-demo.js';
import type { ServedApp } from './served-app.js';
import { buildWms } from './build-wms.js';
import type { WmsLayerDeps } from './build-wms-layers.js';

type Md = Readonly<Record<string, unknown>> | undefined;

/** Builds the enabled services and the route table. Throws `ConfigError` for a bad service option. */
export function buildServices(
  loaded: LoadedConfig,
  layers: readonly TileLayer[],
  wmsDeps?: Omit<WmsLayerDeps, 'loaded'>,
): ServedApp {
  const { services, globals } = loaded.config;
  const maxAgeSeconds = globals.tiles.expires_hours * 3600;
  // MapProxy's ServiceConfiguration: a WMS without `md` gets {title: 'MapProxy WMS'}, and the
  // tile services start from the WMS's md and update it with their own
  const wmsMd: Md = services.wms === undefined ? undefined : (services.wms.md ?? { title: 'MapProxy WMS' });
  const routes: Record<string, Service> = {};

  if (services.tms !== undefined) {
    const origin = services.tms.origin;
    const tms = new TmsService({
      layers,
      // tms.md is not in MapProxy's spec but honoured by its code; the config stage warns about it
      metadata: metadata({ ...wmsMd, ...(services.tms as { md?: Md }).md }),
      useGridNames: services.tms.use_grid_names,
      origin: origin === 'nw' || origin === 'ul' ? 'nw' : origin === undefined ? undefined : 'sw',
      maxAgeSeconds,
    });
    routes.tms = tms;
    routes.tiles = tms;
  }
  let wmtsKvp: Service | null = null;
  if (services.wmts !== undefined) {
    const options = {
      layers,
      metadata: metadata({ ...wmsMd, ...services.wmts.md }),
      maxAgeSeconds,
      featureInfoFormats: services.wmts.featureinfo_formats?.map((f) => ({
        mimetype: f.mimetype,
        suffix: f.suffix ?? f.mimetype.split('/').pop() ?? f.mimetype,
      })),
    };
    if (services.wmts.kvp !== false) wmtsKvp = new WmtsKvpService(options);
    if (services.wmts.restful !== false) {
      try {
        routes.wmts = new WmtsRestService({
          ...options,
          restfulTemplate: services.wmts.restful_template,
          restfulFeatureInfoTemplate: services.wmts.restful_featureinfo_template,
        });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        throw configErrorAt(
          loaded,
          ['services', 'wmts', 'restful_template'],
          error.message,
          'CONFIG_INVALID_VALUE',
          {
            cause: error,
          },
        );
      }
    }
  }
  if (services.kml !== undefined) {
    routes.kml = new KmlService({ layers, useGridNames: services.kml.use_grid_names, maxAgeSeconds });
  }
  const wms = wmsDeps === undefined ? null : buildWms({ ...wmsDeps, loaded }, metadata(wmsMd), layers);
  if (wmtsKvp !== null || wms !== null) {
    const ows = new OwsService({ wmts: wmtsKvp, wms });
    routes.service = ows;
    routes.ows = ows;
    // MapProxy adds `/wms` to the OWS routes when a WMS is configured
    if (wms !== null) routes.wms = ows;
  }
  if (services.demo !== undefined) routes.demo = buildDemoService(loaded, layers, routes);
  const allow = globals.http.access_control_allow_origin;
  const metricsPath = globals.metrics?.path ?? '/metrics';
  if (!/^\/[^?#]*$/.test(metricsPath) || metricsPath === '/' || metricsPath === '/health' || metricsPath === '/ready') {
    throw configErrorAt(
      loaded,
      ['globals', 'metrics', 'path'],
      `metrics path must start with "/" and be none of /, /health, /ready (got ${JSON.stringify(metricsPath)})`,
      'CONFIG_INVALID_VALUE',
    );
  }
  return {
    routes,
    accessControlAllowOrigin: typeof allow === 'string' ? allow : '',
    hasDemo: services.demo !== undefined,
    operations: {
      metricsPath: globals.metrics?.enabled === false ? null : metricsPath,
      cacheDir: globals.cache.base_dir,
    },
  };
}

/** `md` in YAML spelling to the capabilities metadata. */
function metadata(md: Md): ServiceMetadata {
  if (md === undefined) return {};
  const text = (key: string): string | undefined => (typeof md[key] === 'string' ? md[key] : undefined);
  const contact = md.contact as Readonly<Record<string, string | number | undefined>> | undefined;
  const keywordList = md.keyword_list as
    readonly { vocabulary?: string; keywords?: readonly string[] }[] | undefined;
  return {
    title: text('title'),
    abstract: text('abstract'),
    onlineResource: text('online_resource'),
    fees: text('fees'),
    accessConstraints: text('access_constraints'),
    keywordList: keywordList?.map((k) => ({ vocabulary: k.vocabulary, keywords: k.keywords ?? [] })),
    contact:
      contact === undefined
        ? undefined
        : {
            person: contact.person as string | undefined,
            position: contact.position as string | undefined,
            organization: contact.organization as string | undefined,
            address: contact.address as string | undefined,
            city: contact.city as string | undefined,
            postcode: contact.postcode,
            state: contact.state as string | undefined,
            country: contact.country as string | undefined,
            phone: contact.phone,
            fax: contact.fax,
            email: contact.email as string | undefined,
          },
  };
}
