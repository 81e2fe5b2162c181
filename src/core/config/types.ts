/**
 * Typed views of a loaded configuration. Keys are the YAML's own snake_case keys; values are
 * after defaults, `$VAR` expansion and path resolution (see defaults.ts). Everything is frozen.
 */

export type BBoxTuple = readonly [number, number, number, number];

/** A time limit (`refresh_before`, `remove_before`): deltas, an ISO `time` or a file's `mtime`. */
export interface TimeSpecConfig {
  readonly seconds?: number;
  readonly minutes?: number;
  readonly hours?: number;
  readonly days?: number;
  readonly weeks?: number;
  readonly time?: unknown;
  /** Absolute path (resolved against the main config file's directory). */
  readonly mtime?: string;
}

/** A coverage; file names (`datasource`, `polygons`, `ogr_datasource`, `expire_tiles`) are absolute. */
export interface CoverageConfig {
  readonly bbox?: BBoxTuple;
  readonly bbox_srs?: string;
  readonly srs?: string;
  readonly datasource?: string | BBoxTuple;
  readonly where?: string;
  readonly polygons?: string;
  readonly polygons_srs?: string;
  readonly ogr_datasource?: string;
  readonly ogr_where?: string;
  readonly ogr_srs?: string;
  readonly expire_tiles?: string;
  readonly union?: readonly CoverageConfig[];
  readonly difference?: readonly CoverageConfig[];
  readonly intersection?: readonly CoverageConfig[];
  readonly clip?: boolean;
}

export interface ImageOptionsConfig {
  readonly mode?: string;
  readonly colors?: number;
  readonly transparent?: boolean;
  readonly resampling_method?: string;
  readonly format?: string;
  readonly encoding_options?: Readonly<Record<string, unknown>>;
  readonly merge_method?: string;
  readonly opacity?: number;
  readonly transparent_color?: string | readonly number[];
  readonly transparent_color_tolerance?: number;
}

export interface HttpConfig {
  readonly method?: string;
  readonly client_timeout?: number;
  readonly ssl_no_cert_checks?: boolean;
  readonly ssl_ca_certs?: string;
  readonly hide_error_details?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly manage_cookies?: boolean;
}

/** A user grid as written (only `bbox` is normalised and `name` defaults to the grid's key). */
export interface GridConfig {
  readonly name: string;
  readonly srs?: string;
  /** Always W,S,E,N numbers; a `"a,b,c,d"` string is split. */
  readonly bbox?: BBoxTuple;
  readonly bbox_srs?: string;
  readonly res?: readonly number[];
  readonly res_factor?: number | 'sqrt2';
  readonly num_levels?: number;
  readonly min_res?: number;
  readonly max_res?: number;
  readonly tile_size?: readonly number[];
  readonly origin?: string;
  readonly base?: string;
  readonly threshold_res?: readonly number[];
  readonly stretch_factor?: number;
  readonly max_shrink_factor?: number;
  readonly align_resolutions_with?: string;
}

export interface OnErrorConfig {
  readonly response: string | readonly number[];
  readonly cache?: boolean;
  readonly authorize_stale?: boolean;
}

interface SourceCommon {
  readonly min_res?: number;
  readonly max_res?: number;
  readonly min_scale?: number;
  readonly max_scale?: number;
  readonly concurrent_requests?: number;
  readonly coverage?: CoverageConfig;
  readonly seed_only?: boolean;
}

export interface WmsSourceConfig extends SourceCommon {
  readonly type: 'wms';
  readonly req: Readonly<Record<string, unknown>> & { readonly url: string };
  readonly wms_opts?: Readonly<Record<string, unknown>>;
  readonly image?: ImageOptionsConfig;
  readonly supported_formats?: readonly string[];
  readonly supported_srs?: readonly string[];
  readonly http?: HttpConfig;
  readonly on_error?: Readonly<Record<string, OnErrorConfig>>;
  readonly forward_req_params?: readonly string[];
}

export interface TileSourceConfig extends SourceCommon {
  readonly type: 'tile';
  readonly url: string;
  /** Defaults to `GLOBAL_MERCATOR` (with a warning, like MapProxy). */
  readonly grid: string;
  readonly transparent?: boolean;
  readonly image?: ImageOptionsConfig;
  readonly request_format?: string;
  readonly origin?: string;
  readonly http?: HttpConfig;
  readonly on_error?: Readonly<Record<string, OnErrorConfig>>;
}

export interface DebugSourceConfig {
  readonly type: 'debug';
}

/** Source types this engine does not run yet; their keys are validated but kept untyped. */
export interface OtherSourceConfig extends SourceCommon {
  readonly type: 'mapserver' | 'mapnik' | 'arcgis' | 'ogcapitiles' | 'ogcapimaps';
  readonly [key: string]: unknown;
}

export type SourceConfig = WmsSourceConfig | TileSourceConfig | DebugSourceConfig | OtherSourceConfig;

/** The `cache:` backend block; `type` defaults to `file`, paths are absolute where they are files. */
export interface CacheBackendConfig {
  readonly type:
    | 'file'
    | 'sqlite'
    | 'mbtiles'
    | 'geopackage'
    | 'couchdb'
    | 's3'
    | 'azureblob'
    | 'riak'
    | 'redis'
    | 'compact';
  readonly directory_layout?: string;
  readonly directory?: string;
  readonly filename?: string;
  readonly tile_lock_dir?: string;
  readonly use_grid_names?: boolean;
  readonly coverage?: CoverageConfig;
  readonly [key: string]: unknown;
}

export interface BandSourceConfig {
  readonly source: string;
  readonly band: number;
  readonly factor?: number;
}

export interface CacheConfig {
  readonly name?: string;
  readonly sources:
    readonly string[] | Readonly<Partial<Record<'r' | 'g' | 'b' | 'a' | 'l', readonly BandSourceConfig[]>>>;
  /** Defaults to `['GLOBAL_MERCATOR']` (with a warning, like MapProxy). */
  readonly grids: readonly string[];
  /** Effective storage directory: `cache_dir`, else `globals.cache.base_dir` (absolute). */
  readonly cache_dir: string;
  readonly format: string;
  readonly request_format?: string;
  /** The following fall back to `globals.cache`. */
  readonly meta_size: readonly number[];
  readonly meta_buffer: number;
  readonly bulk_meta_tiles: boolean;
  readonly minimize_meta_requests: boolean;
  readonly concurrent_tile_creators: number;
  readonly link_single_color_images: boolean | string;
  readonly disable_storage: boolean;
  readonly image?: ImageOptionsConfig;
  readonly use_direct_from_level?: number;
  readonly use_direct_from_res?: number;
  readonly cache_rescaled_tiles?: boolean;
  readonly upscale_tiles?: number;
  readonly downscale_tiles?: number;
  readonly refresh_before?: TimeSpecConfig;
  readonly watermark?: Readonly<Record<string, unknown>>;
  readonly cache: CacheBackendConfig;
}

export interface LayerDimensionConfig {
  readonly values: readonly (string | number)[];
  readonly default?: string | number;
}

/** One entry of the layer tree (the old dict form is converted to this list form). */
export interface LayerConfig {
  readonly name?: string;
  readonly title: string;
  readonly sources?: readonly string[];
  readonly tile_sources?: readonly string[];
  readonly layers?: readonly LayerConfig[];
  readonly min_res?: number;
  readonly max_res?: number;
  readonly min_scale?: number;
  readonly max_scale?: number;
  readonly legendurl?: string;
  readonly md?: Readonly<Record<string, unknown>>;
  readonly dimensions?: Readonly<Record<string, LayerDimensionConfig>>;
  readonly nominal_res?: number;
  readonly nominal_scale?: number;
}

export interface WmsServiceConfig {
  readonly srs: readonly string[];
  readonly bbox_srs?: readonly (string | { readonly srs?: string; readonly bbox?: readonly number[] })[];
  readonly image_formats: readonly string[];
  readonly attribution?: { readonly text?: string };
  readonly featureinfo_types?: readonly string[];
  readonly featureinfo_xslt?: Readonly<Record<string, string>>;
  readonly on_source_errors?: string;
  readonly max_output_pixels: number | readonly number[];
  readonly strict: boolean;
  readonly md?: Readonly<Record<string, unknown>>;
  readonly inspire_md?: Readonly<Record<string, unknown>>;
  readonly versions?: readonly string[];
}

/** Enabled services; a service written as `wms:` (null) is enabled with its defaults. */
export interface ServicesConfig {
  readonly wms?: WmsServiceConfig;
  readonly wmts?: {
    readonly kvp?: boolean;
    readonly restful?: boolean;
    readonly restful_template?: string;
    readonly restful_featureinfo_template?: string;
    readonly md?: Readonly<Record<string, unknown>>;
    readonly featureinfo_formats?: readonly { readonly mimetype: string; readonly suffix?: string }[];
  };
  readonly tms?: { readonly use_grid_names?: boolean; readonly origin?: string };
  readonly kml?: { readonly use_grid_names?: boolean };
  readonly demo?: Readonly<Record<string, never>>;
  readonly ogcapi?: Readonly<Record<string, unknown>>;
}

/** `globals` with every default of MapProxy's defaults.py filled in; paths absolute. */
export interface GlobalsConfig {
  readonly image: {
    readonly resampling_method: string;
    readonly paletted: boolean;
    readonly stretch_factor: number;
    readonly max_shrink_factor: number;
    readonly jpeg_quality: number;
    readonly transparent_color_tolerance: number;
    readonly formats: Readonly<Record<string, ImageOptionsConfig>>;
    readonly font_dir?: string;
    readonly merge_method?: string;
  };
  readonly http: HttpConfig & {
    readonly method: string;
    readonly client_timeout: number;
    readonly ssl_no_cert_checks: boolean;
    readonly hide_error_details: boolean;
    readonly manage_cookies: boolean;
    readonly headers: Readonly<Record<string, string>>;
    readonly access_control_allow_origin: string | Readonly<Record<string, never>>;
    readonly concurrent_requests: number;
  };
  readonly cache: {
    readonly base_dir: string;
    readonly lock_dir: string;
    readonly tile_lock_dir?: string;
    readonly max_tile_limit: number;
    readonly concurrent_tile_creators: number;
    readonly meta_size: readonly number[];
    readonly meta_buffer: number;
    readonly bulk_meta_tiles: boolean;
    readonly minimize_meta_requests: boolean;
    readonly link_single_color_images: boolean | string;
    readonly sqlite_timeout: number;
    /** Unset: WAL (see app/cache-backends.ts); outside MapProxy's globals spec, read by its loader. */
    readonly sqlite_wal?: boolean;
    readonly s3?: Readonly<Record<string, string>>;
    readonly azureblob?: Readonly<Record<string, string>>;
    /**
     * mapproxy-ts's own: the in-memory hot-tile cache of each process, `max_mb` of tile bytes
     * (0: off) kept at most `ttl_seconds`; defaults in app/ (`hotTilesOf`).
     */
    readonly hot_tiles?: { readonly max_mb?: number; readonly ttl_seconds?: number };
    /** mapproxy-ts's own: `file` (default, `tile_lock_dir`) or `redis` (`tile_lock_redis`). */
    readonly tile_lock_backend?: 'file' | 'redis';
    readonly tile_lock_redis?: {
      readonly host?: string;
      readonly port?: number;
      readonly db?: number;
      readonly username?: string;
      readonly password?: string;
      readonly prefix?: string;
      readonly lease_seconds?: number;
      /** TLS as for a redis cache: on with `ssl: true` or any of the files. */
      readonly ssl?: boolean;
      readonly ssl_certfile?: string;
      readonly ssl_keyfile?: string;
      readonly ssl_ca_certs?: string;
      readonly ssl_no_cert_checks?: boolean;
    };
    readonly directory_permissions?: string;
    readonly file_permissions?: string;
  };
  readonly grid: { readonly tile_size: readonly number[] };
  readonly srs: {
    readonly axis_order_ne: readonly string[];
    readonly axis_order_en: readonly string[];
    readonly proj_data_dir?: string;
    readonly preferred_src_proj?: Readonly<Record<string, readonly string[]>>;
  };
  readonly tiles: { readonly expires_hours: number };
  readonly mapserver?: { readonly binary?: string; readonly working_dir?: string };
  readonly renderd?: { readonly address?: string };
  /** Our own key, not MapProxy's: the Prometheus endpoint (`enabled` default true, `path` default `/metrics`). */
  readonly metrics?: { readonly enabled?: boolean; readonly path?: string };
}

/** A loaded mapproxy.yaml. `grids` holds only user grids; GLOBAL_* are added by the grid module. */
export interface ProxyConfig {
  readonly globals: GlobalsConfig;
  readonly services: ServicesConfig;
  readonly layers: readonly LayerConfig[];
  readonly caches: Readonly<Record<string, CacheConfig>>;
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly grids: Readonly<Record<string, GridConfig>>;
  readonly parts?: unknown;
}

export interface SeedTaskConfig {
  readonly caches: readonly string[];
  /** Defaults to the grids all `caches` share (they must be identical). */
  readonly grids: readonly string[];
  readonly coverages?: readonly string[];
  readonly levels?: readonly number[] | { readonly from?: number; readonly to?: number };
  readonly resolutions?: readonly number[] | { readonly from?: number; readonly to?: number };
  readonly refresh_before?: TimeSpecConfig;
}

export interface CleanupTaskConfig extends Omit<SeedTaskConfig, 'refresh_before'> {
  readonly remove_before?: TimeSpecConfig;
  readonly remove_all?: boolean;
}

/** A loaded seed.yaml. */
export interface SeedConfig {
  readonly seeds: Readonly<Record<string, SeedTaskConfig>>;
  readonly cleanups: Readonly<Record<string, CleanupTaskConfig>>;
  readonly coverages: Readonly<Record<string, CoverageConfig>>;
}
