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
  // the only option accepted without effect: text is drawn with fonts of our own, so say so
  const warnings =
    config.globals.image.font_dir === undefined
      ? []
      : asWarnings([
          configErrorAt(
            loaded,
            ['globals', 'image', 'font_dir'],
            "is not used: mapproxy-ts draws messages with Pillow's bitmap font and watermarks and attribution with DejaVu Sans, as MapProxy does by default",
            'CONFIG_INVALID_VALUE',
          ),
        ]);
  return { errors, warnings };
}
