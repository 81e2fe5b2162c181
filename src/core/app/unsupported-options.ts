/**
 * MapProxy options the spec accepts but mapproxy-ts cannot honour yet (issue 15): each one is a
 * ConfigError at its key, for `check` and `serve` alike, so no migrated deployment silently
 * draws a different map. Cache backend types are refused by the backend registry instead.
 */
import { hasXsltproc, XSLTPROC } from '../util/index.js';
import {
  asWarnings,
  configErrorAt,
  type ConfigError,
  type ConfigWarning,
  type LoadedConfig,
} from '../config/index.js';
import { sourcesColoringCaches } from './cache-colors.js';

/** Source types `buildSources` can build. */
export const SUPPORTED_SOURCE_TYPES: readonly string[] = ['wms', 'mapserver', 'tile', 'debug', 'arcgis'];

type Section = Readonly<Record<string, unknown>>;

function section(value: unknown): Section | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Section)
    : undefined;
}

const NOT_YET = 'is not supported by mapproxy-ts yet';

/** MapProxy refuses `featureinfo_xslt` without lxml; we transform with libxslt's xsltproc. */
function xsltprocMissing(loaded: LoadedConfig, path: (string | number)[]): ConfigError {
  return configErrorAt(
    loaded,
    path,
    `featureinfo_xslt requires ${XSLTPROC} (apt-get install xsltproc)`,
    'CONFIG_INVALID_VALUE',
  );
}

/**
 * Every unsupported option in `loaded`. Errors: source types other than wms/tile/debug,
 * `services.ogcapi`, and `featureinfo_xslt` where `xsltproc` is not installed.
 */
export function unsupportedOptions(loaded: LoadedConfig): {
  errors: ConfigError[];
  warnings: ConfigWarning[];
} {
  const errors: ConfigError[] = [];
  const refuse = (path: (string | number)[], what: string, why: string): void => {
    errors.push(configErrorAt(loaded, path, `${what} ${NOT_YET}; ${why}`, 'CONFIG_INVALID_VALUE'));
  };
  const { config } = loaded;

  for (const [name, value] of Object.entries(config.sources)) {
    const source = section(value) ?? {};
    const type = String(source.type);
    if (!SUPPORTED_SOURCE_TYPES.includes(type)) {
      errors.push(
        configErrorAt(
          loaded,
          ['sources', name, 'type'],
          `source type "${type}" ${NOT_YET} (supported: ${SUPPORTED_SOURCE_TYPES.join(', ')})`,
          'CONFIG_UNKNOWN_TYPE',
        ),
      );
      continue;
    }
    if (section(source.wms_opts)?.featureinfo_xslt !== undefined && !hasXsltproc())
      errors.push(xsltprocMissing(loaded, ['sources', name, 'wms_opts', 'featureinfo_xslt']));
  }

  const services = section(config.services);
  const wms = section(services?.wms);
  if (wms?.featureinfo_xslt !== undefined && !hasXsltproc())
    errors.push(xsltprocMissing(loaded, ['services', 'wms', 'featureinfo_xslt']));
  if (services?.ogcapi !== undefined)
    refuse(['services', 'ogcapi'], 'the ogcapi service', 'serve WMS, WMTS, TMS or KML instead');
  // options accepted without effect are said to be so at their key
  const unused = (path: (string | number)[], why: string): ConfigError =>
    configErrorAt(loaded, path, `is not used: ${why}`, 'CONFIG_INVALID_VALUE');
  const ignored: ConfigError[] = [];
  if (config.globals.image.font_dir !== undefined)
    ignored.push(
      unused(
        ['globals', 'image', 'font_dir'],
        "mapproxy-ts draws messages with Pillow's bitmap font and watermarks and attribution with DejaVu Sans, as MapProxy does by default",
      ),
    );
  ignored.push(...ogcApiOnlyKeys(config.layers, ['layers'], unused));
  ignored.push(...mergeMethodKeys(config, unused));
  ignored.push(...ignoredByMapProxyToo(loaded, unused));
  ignored.push(...unusedSourceImageKeys(loaded, unused));
  const warnings = asWarnings(ignored);
  return { errors, warnings };
}

/**
 * `merge_method` wherever an image section takes it: MapProxy only warns that it is deprecated
 * (a DeprecationWarning Python hides) and always composites; so do we.
 */
function mergeMethodKeys(
  config: LoadedConfig['config'],
  unused: (path: (string | number)[], why: string) => ConfigError,
): ConfigError[] {
  const image = section(config.globals.image);
  const candidates: [(string | number)[], Section | undefined][] = [
    [['globals', 'image'], image],
    ...Object.entries(section(image?.formats) ?? {}).map(([name, value]): [string[], Section | undefined] => [
      ['globals', 'image', 'formats', name],
      section(value),
    ]),
    ...(['caches', 'sources'] as const).flatMap((kind) =>
      Object.entries(config[kind]).map(([name, value]): [string[], Section | undefined] => [
        [kind, name, 'image'],
        section(section(value)?.image),
      ]),
    ),
  ];
  return candidates
    .filter(([, opts]) => opts?.merge_method !== undefined)
    .map(([path]) =>
      unused(
        [...path, 'merge_method'],
        'layers are always composited; MapProxy deprecated the option and composites too',
      ),
    );
}

/** Layer keys only MapProxy's OGC API Maps service reads (refused above), anywhere in the tree. */
function ogcApiOnlyKeys(
  layers: unknown,
  path: (string | number)[],
  unused: (path: (string | number)[], why: string) => ConfigError,
): ConfigError[] {
  if (!Array.isArray(layers)) return [];
  return layers.flatMap((value: unknown, index) => {
    const layer = section(value) ?? {};
    const here = [...path, index];
    const found = ['nominal_res', 'nominal_scale']
      .filter((key) => layer[key] !== undefined)
      .map((key) =>
        unused([...here, key], 'only the OGC API Maps service reads it, which mapproxy-ts does not serve'),
      );
    return [...found, ...ogcApiOnlyKeys(layer.layers, [...here, 'layers'], unused)];
  });
}

/**
 * Keys the spec accepts that neither MapProxy 1.15 nor mapproxy-ts acts on (or that only later
 * MapProxy releases read), each said to be so where it was written. Defaults filled in by the
 * loader (e.g. a cache's `link_single_color_images` from `globals.cache`) are not warned about.
 */
function ignoredByMapProxyToo(
  loaded: LoadedConfig,
  unused: (path: (string | number)[], why: string) => ConfigError,
): ConfigError[] {
  const { config } = loaded;
  const found: ConfigError[] = [];
  const warnIfWritten = (path: (string | number)[], why: string): void => {
    if (loaded.locate(path) !== undefined) found.push(unused(path, why));
  };
  for (const key of ['axis_order_ne', 'axis_order_en'])
    warnIfWritten(
      ['globals', 'srs', key],
      'the axis order of each SRS comes from the EPSG database (MapProxy 1.15 with pyproj ignores it too)',
    );
  warnIfWritten(['globals', 'cache', 'azureblob'], 'mapproxy-ts has no azureblob cache');
  for (const [name, cache] of Object.entries(config.caches)) {
    warnIfWritten(['caches', name, 'name'], `a cache is named by its key (${name}), in MapProxy too`);
    const type = cache.cache.type;
    if (type === 'sqlite')
      warnIfWritten(
        ['caches', name, 'cache', 'ttl'],
        'tiles are kept until they are seeded or cleaned up again; for tiles renewed when older than some time set refresh_before on the cache',
      );
    if (type !== 'file')
      warnIfWritten(
        ['caches', name, 'link_single_color_images'],
        `only file caches link single-colour tiles (this is a ${type} cache), in MapProxy too`,
      );
  }
  for (const [name, value] of Object.entries(config.sources)) {
    if (section(value)?.type !== 'tile') continue;
    warnIfWritten(
      ['sources', name, 'request_format'],
      "a tile source's %(format)s is what its cache requests (the cache's request_format or format), in MapProxy too",
    );
    warnIfWritten(
      ['sources', name, 'concurrent_requests'],
      'requests to a tile source are not limited, in MapProxy 1.15 neither (its wms, mapserver and mapnik sources only)',
    );
    warnIfWritten(
      ['sources', name, 'http', 'method'],
      'tiles are always requested with GET, in MapProxy too',
    );
  }
  return found;
}

/**
 * Image keys of a wms, mapserver or tile source that no image takes: a cache encodes its tiles
 * with its own format and image options, a WMS map with those of the requested format. MapProxy
 * 1.15 reads a source's `colors` and `mode` only into a cache that sets neither
 * (`compatible_image_options`), which we follow for the colors of a `mixed` cache and of one
 * whose format names none (`sourceCacheColors`); the others do nothing there either. Read elsewhere: WMS
 * `transparent`, `resampling_method`, `format`, `opacity` and `transparent_color*`, a tile
 * source's `transparent`.
 */
function unusedSourceImageKeys(
  loaded: LoadedConfig,
  unused: (path: (string | number)[], why: string) => ConfigError,
): ConfigError[] {
  const fromCache =
    "a cache encodes its tiles with its own format and image options (MapProxy 1.15 gives a cache that sets none its sources' colors and mode)";
  const encoding =
    'images are encoded with the options of the cache or of the requested format, in MapProxy too';
  const tileOnly: Record<string, string> = {
    format:
      'tiles are requested in the format of the cache that asks (its request_format or format), in MapProxy too',
    resampling_method:
      "a tile source's tiles are scaled, if at all, by the cache that reads them, in MapProxy too",
  };
  const found: ConfigError[] = [];
  const coloringMixed = sourcesColoringCaches(loaded);
  for (const [name, value] of Object.entries(loaded.config.sources)) {
    const source = section(value);
    const type = String(source?.type);
    if (type !== 'wms' && type !== 'mapserver' && type !== 'tile') continue;
    const image = section(source?.image) ?? {};
    const why: Record<string, string> = {
      colors: fromCache,
      mode: fromCache,
      encoding_options: encoding,
      ...(type === 'tile' ? tileOnly : {}),
    };
    // read where a mixed cache takes its sources' colors (a tile source's format names png: 256)
    if (coloringMixed.has(name)) {
      delete why.colors;
      delete why.format;
    }
    for (const [key, reason] of Object.entries(why))
      if (image[key] !== undefined) found.push(unused(['sources', name, 'image', key], reason));
  }
  return found;
}
