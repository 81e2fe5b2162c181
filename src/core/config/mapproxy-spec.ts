/**
 * The mapproxy.yaml spec: every section's allowed keys and types, the one source of truth for
 * validation and for schema/mapproxy.schema.json. Mirrors MapProxy's config/spec.py (1.15),
 * plus the keys MapProxy 7 added (marked "MapProxy 7"; see feature-inventory sections 1.4-1.6).
 */
import {
  anything,
  bool,
  dict,
  enumOf,
  int,
  list,
  mapOf,
  matching,
  num,
  oneOf,
  ref,
  required,
  str,
  typed,
  type DictSpec,
  type SpecDocument,
} from './spec-dsl.js';

export const timeSpec = dict({
  seconds: num,
  minutes: num,
  hours: num,
  days: num,
  weeks: num,
  time: anything,
  mtime: str,
});

export const coverageSpec = dict({
  polygons: str,
  polygons_srs: str,
  bbox: oneOf(str, list(num)),
  bbox_srs: str,
  ogr_datasource: str,
  ogr_where: str,
  ogr_srs: str,
  datasource: oneOf(str, list(num)),
  where: str,
  srs: str,
  expire_tiles: str,
  union: list(ref('coverage')),
  difference: list(ref('coverage')),
  intersection: list(ref('coverage')),
  clip: bool,
});

const imageOpts = {
  mode: str,
  colors: num,
  transparent: bool,
  resampling_method: str,
  format: str,
  encoding_options: mapOf(anything),
  merge_method: str,
};

const httpOpts = {
  method: str,
  client_timeout: num,
  ssl_no_cert_checks: bool,
  ssl_ca_certs: str,
  hide_error_details: bool,
  headers: mapOf(str),
  manage_cookies: bool,
};

const mapserverOpts = dict({ binary: str, working_dir: str });

const scaleHints = { max_scale: num, min_scale: num, max_res: num, min_res: num };

const sourceCommons = {
  ...scaleHints,
  concurrent_requests: int,
  coverage: ref('coverage'),
  seed_only: bool,
};

const permissions = { directory_permissions: str, file_permissions: str }; // MapProxy 7

// MapProxy's location_funcs (cache/path.py); any other value fails there when the cache is built
const directoryLayout = enumOf('tc', 'mp', 'tms', 'reverse_tms', 'quadkey', 'arcgis');

const cacheTypes: Record<string, DictSpec> = {
  file: dict({
    directory_layout: directoryLayout,
    use_grid_names: bool,
    directory: str,
    tile_lock_dir: str,
    ...permissions,
  }),
  sqlite: dict({
    directory: str,
    sqlite_timeout: num,
    sqlite_wal: bool,
    tile_lock_dir: str,
    ttl: int, // MapProxy 7
    ...permissions,
  }),
  mbtiles: dict({ filename: str, sqlite_timeout: num, sqlite_wal: bool, tile_lock_dir: str, ...permissions }),
  geopackage: dict({
    filename: str,
    directory: str,
    tile_lock_dir: str,
    // GeopackageCache._check_table_name: the name is put into SQL unquoted-safe only with these
    table_name: matching(/[a-zA-Z0-9_-]+/, 'letters, digits, "_" and "-" only'),
    levels: bool,
    ...permissions,
  }),
  couchdb: dict({ url: str, db_name: str, tile_metadata: mapOf(anything), tile_id: str, tile_lock_dir: str }),
  s3: dict({
    bucket_name: str,
    directory_layout: directoryLayout,
    directory: str,
    profile_name: str,
    region_name: str,
    endpoint_url: str,
    access_control_list: str,
    tile_lock_dir: str,
    use_http_get: bool, // MapProxy 7
    include_grid_name: bool, // MapProxy 7
    // mapproxy-ts's own: while the store cannot be read, tiles come from the sources or requests fail
    on_unavailable: enumOf('source', 'fail'),
  }),
  azureblob: dict({
    // MapProxy 7
    connection_string: str,
    container_name: str,
    directory: str,
    directory_layout: str,
    tile_lock_dir: str,
  }),
  riak: dict({
    nodes: list(dict({ host: str, pb_port: num, http_port: num })),
    protocol: str,
    bucket: str,
    default_ports: dict({ pb: num, http: num }),
    secondary_index: bool,
    tile_lock_dir: str,
  }),
  redis: dict({
    host: str,
    port: int,
    db: int,
    prefix: str,
    default_ttl: int,
    username: str, // MapProxy 7
    password: str,
    // TLS (mapproxy-ts's own; the file keys are the ones later MapProxy releases declare)
    ssl: bool,
    ssl_certfile: str,
    ssl_keyfile: str,
    ssl_ca_certs: str,
    ssl_no_cert_checks: bool,
    on_unavailable: enumOf('source', 'fail'),
  }),
  // _compact_cache: "compact cache only supports version 1 or 2"
  compact: dict({ directory: str, version: required(enumOf(1, 2)), tile_lock_dir: str, ...permissions }),
};
// MapProxy 7: every backend accepts a `coverage` (intersected with the source coverage).
for (const [name, spec] of Object.entries(cacheTypes)) {
  cacheTypes[name] = { ...spec, keys: { ...spec.keys, coverage: ref('coverage') } };
}

const onError = mapOf(
  dict({ response: required(oneOf(list(int), str)), cache: bool, authorize_stale: bool }),
);

const urlAndType = dict({ url: required(str), media_type: required(str) });
const dateLike = str;
const inspireMd = typed('type', {
  linked: dict({
    metadata_url: required(urlAndType),
    languages: required(dict({ default: required(str) })),
  }),
  embedded: dict({
    resource_locators: required(list(urlAndType)),
    temporal_reference: required(
      dict({ date_of_publication: dateLike, date_of_creation: dateLike, date_of_last_revision: dateLike }),
    ),
    conformities: required(
      list(
        dict({
          title: str,
          uris: list(str),
          date_of_publication: dateLike,
          date_of_creation: dateLike,
          date_of_last_revision: dateLike,
          resource_locators: required(list(urlAndType)),
          degree: required(str),
        }),
      ),
    ),
    metadata_points_of_contact: required(list(dict({ organisation_name: str, email: str }))),
    mandatory_keywords: required(list(str)),
    keywords: list(
      dict({
        title: required(str),
        date_of_publication: dateLike,
        date_of_creation: dateLike,
        date_of_last_revision: dateLike,
        uris: list(str),
        resource_locators: list(urlAndType),
        keyword_value: required(str),
      }),
    ),
    metadata_date: required(dateLike),
    metadata_url: urlAndType,
    languages: required(dict({ default: required(str) })),
  }),
});

const keywordList = list(dict({ vocabulary: str, keywords: list(str) }));
const urlFormat = dict({ url: str, format: str });

const wms130LayerMd = dict({
  abstract: str,
  keyword_list: keywordList,
  attribution: dict({
    title: str,
    url: str,
    logo: dict({ url: str, width: int, height: int, format: str }),
  }),
  identifier: list(dict({ url: str, name: str, value: str })),
  metadata: list(dict({ url: str, type: str, format: str })),
  data: list(urlFormat),
  feature_list: list(urlFormat),
});

export const gridSpec = dict({
  base: str,
  name: str,
  srs: str,
  bbox: oneOf(str, list(num)),
  bbox_srs: str,
  num_levels: int,
  res: list(num),
  res_factor: oneOf(num, str),
  max_res: num,
  min_res: num,
  stretch_factor: num,
  max_shrink_factor: num,
  align_resolutions_with: str,
  origin: str,
  tile_size: list(int),
  threshold_res: list(num),
});

const ogcServiceMd = dict({
  title: str,
  abstract: str,
  online_resource: str,
  contact: anything,
  fees: str,
  access_constraints: str,
  keyword_list: keywordList,
});

const bandSource = dict({ source: required(str), band: required(int), factor: num });
const bandSources = dict({
  r: list(bandSource),
  g: list(bandSource),
  b: list(bandSource),
  a: list(bandSource),
  l: list(bandSource),
});

const wmsOpts = {
  version: str,
  map: bool,
  featureinfo: bool,
  legendgraphic: bool,
  legendurl: str,
  featureinfo_format: str,
  featureinfo_xslt: str,
};

const sourceImage = dict({
  ...imageOpts,
  opacity: num,
  transparent_color: oneOf(str, list(num)),
  transparent_color_tolerance: num,
});

export const sourceSpec = typed('type', {
  wms: dict({
    ...sourceCommons,
    wms_opts: dict({ ...wmsOpts, featureinfo_out_format: str }),
    image: sourceImage,
    supported_formats: list(str),
    supported_srs: list(str),
    http: dict(httpOpts),
    on_error: onError,
    forward_req_params: list(str),
    req: required(dict({ url: required(str) }, anything)),
  }),
  mapserver: dict({
    ...sourceCommons,
    wms_opts: dict(wmsOpts),
    image: sourceImage,
    supported_formats: list(str),
    supported_srs: list(str),
    forward_req_params: list(str),
    req: required(dict({ map: required(str) }, anything)),
    mapserver: mapserverOpts,
  }),
  tile: dict({
    ...sourceCommons,
    url: required(str),
    transparent: bool,
    image: dict(imageOpts),
    grid: str,
    request_format: str,
    origin: str,
    http: dict(httpOpts),
    on_error: onError,
  }),
  mapnik: dict({
    ...sourceCommons,
    mapfile: required(str),
    transparent: bool,
    image: dict(imageOpts),
    layers: oneOf(str, list(str)),
    use_mapnik2: bool,
    scale_factor: num,
    multithreaded: bool, // MapProxy 7
  }),
  arcgis: dict({
    ...sourceCommons,
    req: required(dict({ url: required(str), dpi: int, layers: str, transparent: bool, time: str })),
    // outside MapProxy's arcgis spec (it warns about them) but read by its image_opts, as we read
    // them (app/arcgis-source-config.ts): a key that takes effect is not called unknown
    transparent: bool,
    image: dict({ resampling_method: str, transparent: bool, opacity: num }),
    opts: dict({
      featureinfo: bool,
      featureinfo_tolerance: num,
      featureinfo_return_geometries: bool,
      // outside MapProxy's spec (it warns) but its loader reads it: `map: false` makes a
      // feature-info-only source, as a WMS source's wms_opts.map (app/build-wms-layers.ts)
      map: bool,
    }),
    supported_srs: list(str),
    http: dict(httpOpts),
    on_error: onError,
  }),
  // MapProxy 7: OGC API sources.
  ogcapitiles: dict({
    ...sourceCommons,
    landingpage_url: required(str),
    collection: str,
    tile_matrix_set_id: str,
    image: dict(imageOpts),
    http: dict(httpOpts),
  }),
  ogcapimaps: dict({
    ...sourceCommons,
    landingpage_url: required(str),
    collection: str,
    supported_srs: list(str),
    transparent: bool,
    image: sourceImage,
    bgcolor: str,
    http: dict(httpOpts),
  }),
  debug: dict({}),
});

export const cacheSpec = dict({
  sources: required(oneOf(list(str), bandSources)),
  name: str,
  grids: list(str),
  cache_dir: str,
  meta_size: list(num),
  meta_buffer: num,
  bulk_meta_tiles: bool,
  minimize_meta_requests: bool,
  concurrent_tile_creators: int,
  disable_storage: bool,
  format: str,
  // opacity is outside MapProxy's cache spec (it warns) but its loader reads it into the cache's
  // layers (SRSConditional/CacheMapLayer opacity), as we do: a key that takes effect is not unknown
  image: dict({ ...imageOpts, opacity: num }),
  request_format: str,
  use_direct_from_level: num,
  use_direct_from_res: num,
  link_single_color_images: oneOf(bool, str),
  cache_rescaled_tiles: bool,
  upscale_tiles: int,
  downscale_tiles: int,
  refresh_before: timeSpec,
  watermark: dict({ text: str, font_size: num, color: oneOf(str, list(num)), opacity: num, spacing: str }),
  cache: typed('type', cacheTypes),
});

const layerCommon = {
  ...scaleHints,
  sources: list(str),
  title: required(str),
  legendurl: str,
  md: wms130LayerMd,
};

export const layerSpec = dict({
  ...layerCommon,
  tile_sources: list(str),
  name: str,
  layers: ref('layers'),
  dimensions: mapOf(
    dict({
      values: required(list(oneOf(str, num))),
      default: oneOf(str, num),
    }),
  ),
  nominal_res: num, // MapProxy 7 (OGC API Maps)
  nominal_scale: num,
});

const servicesSpec = dict({
  demo: dict({}),
  kml: dict({ use_grid_names: bool }),
  tms: dict({ use_grid_names: bool, origin: str }),
  wmts: dict({
    kvp: bool,
    restful: bool,
    restful_template: str,
    restful_featureinfo_template: str,
    md: ogcServiceMd,
    featureinfo_formats: list(dict({ mimetype: required(str), suffix: str })),
  }),
  wms: dict({
    srs: list(str),
    bbox_srs: list(oneOf(str, dict({ bbox: list(num), srs: str }))),
    image_formats: list(str),
    attribution: dict({ text: str }),
    featureinfo_types: list(str),
    featureinfo_xslt: mapOf(str),
    on_source_errors: str,
    max_output_pixels: oneOf(num, list(num)),
    strict: bool,
    md: ogcServiceMd,
    inspire_md: inspireMd,
    versions: list(str),
  }),
  // MapProxy 7: OGC API Maps/Tiles.
  ogcapi: dict({
    enable_tiles: bool,
    enable_maps: bool,
    map_srs: list(str),
    attribution: dict({ text: str }),
    on_source_errors: str,
    max_output_pixels: oneOf(num, list(num)),
    image_formats: list(str),
    md: mapOf(anything),
    default_dataset_layers: list(str),
  }),
});

const globalsSpec = dict({
  image: dict({
    resampling_method: str,
    paletted: bool,
    stretch_factor: num,
    max_shrink_factor: num,
    jpeg_quality: num,
    // an entry's opacity: as a cache's image.opacity for every cache of that format (MapProxy
    // copies the entry into the cache's image options; its spec warns about the key)
    formats: mapOf(dict({ ...imageOpts, opacity: num })),
    font_dir: str,
    merge_method: str,
  }),
  http: dict({ ...httpOpts, access_control_allow_origin: oneOf(str, dict({})) }),
  cache: dict({
    base_dir: str,
    lock_dir: str,
    tile_lock_dir: str,
    meta_size: list(num),
    meta_buffer: num,
    bulk_meta_tiles: bool,
    max_tile_limit: num,
    minimize_meta_requests: bool,
    concurrent_tile_creators: int,
    link_single_color_images: oneOf(bool, str),
    // outside MapProxy's globals spec (it warns about them) but read by its loader for every
    // sqlite, mbtiles and geopackage cache without its own (get_value('cache.sqlite_wal', ...))
    sqlite_timeout: num,
    sqlite_wal: bool,
    s3: dict({
      bucket_name: str,
      profile_name: str,
      region_name: str,
      endpoint_url: str,
      access_control_list: str,
    }),
    azureblob: dict({ connection_string: str, container_name: str }), // MapProxy 7
    ...permissions,
    // mapproxy-ts's own: tiles read from the caches kept in memory for a moment (README "Performance")
    hot_tiles: dict({ max_mb: num, ttl_seconds: num }),
    // mapproxy-ts's own: meta-tile locks as Redis leases shared by every process (MapProxy: files)
    tile_lock_backend: enumOf('file', 'redis'),
    tile_lock_redis: dict({
      host: str,
      port: int,
      db: int,
      username: str,
      password: str,
      prefix: str,
      lease_seconds: num,
      ssl: bool,
      ssl_certfile: str,
      ssl_keyfile: str,
      ssl_ca_certs: str,
      ssl_no_cert_checks: bool,
    }),
  }),
  grid: dict({ tile_size: list(int) }),
  srs: dict({
    axis_order_ne: list(str),
    axis_order_en: list(str),
    proj_data_dir: str,
    preferred_src_proj: mapOf(list(str)),
  }),
  tiles: dict({ expires_hours: num }),
  mapserver: mapserverOpts,
  renderd: dict({ address: str }),
  // mapproxy-ts's own: the Prometheus endpoint (README "Operations")
  metrics: dict({ enabled: bool, path: str }),
});

/** The whole mapproxy.yaml spec. `base` is consumed by the include loader before validation. */
export const mapproxySpec: SpecDocument = {
  root: dict({
    globals: globalsSpec,
    grids: mapOf(gridSpec),
    caches: mapOf(cacheSpec),
    services: servicesSpec,
    sources: mapOf(sourceSpec),
    layers: oneOf(mapOf(dict(layerCommon)), ref('layers')),
    parts: anything,
    base: oneOf(str, list(str)),
  }),
  defs: {
    coverage: coverageSpec,
    layers: list(layerSpec),
  },
};
