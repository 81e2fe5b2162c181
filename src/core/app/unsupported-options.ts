/**
 * MapProxy options the spec accepts but mapproxy-ts cannot honour yet (issue 15): each one is a
 * ConfigError at its key, for `check` and `serve` alike, so no migrated deployment silently
 * draws a different map. Cache backend types are refused by the backend registry instead.
 */
import { configErrorAt, type ConfigError, type ConfigWarning, type LoadedConfig } from '../config/index.js';

/** Source types `buildSources` can build. */
export const SUPPORTED_SOURCE_TYPES: readonly string[] = ['wms', 'mapserver', 'tile', 'debug', 'arcgis'];

type Section = Readonly<Record<string, unknown>>;

function section(value: unknown): Section | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Section)
    : undefined;
}

const NOT_YET = 'is not supported by mapproxy-ts yet';

/**
 * Every unsupported option in `loaded`. Errors: source types other than wms/tile/debug, WMS
 * `featureinfo_xslt` and `services.ogcapi`.
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
    if (section(source.wms_opts)?.featureinfo_xslt !== undefined)
      refuse(
        ['sources', name, 'wms_opts', 'featureinfo_xslt'],
        'featureinfo_xslt',
        'feature info would not be transformed',
      );
  }

  const services = section(config.services);
  const wms = section(services?.wms);
  if (wms?.featureinfo_xslt !== undefined)
    refuse(
      ['services', 'wms', 'featureinfo_xslt'],
      'featureinfo_xslt',
      'feature info would not be transformed',
    );
  if (services?.ogcapi !== undefined)
    refuse(['services', 'ogcapi'], 'the ogcapi service', 'serve WMS, WMTS, TMS or KML instead');
  // every option is either honoured or refused now; the warnings stay for the check's interface
  return { errors, warnings: [] };
}
