/**
 * WMTS RESTful URL templates (MapProxy `URLTemplateConverter`): `{Var}` placeholders become regex
 * groups; unknown variables are dimensions. Also the RESTful request parser.
 */
import { ServiceError } from '../errors.js';
import { type WmtsRequest } from './wmts-request.js';

export const DEFAULT_RESTFUL_TEMPLATE = '/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}';
export const DEFAULT_RESTFUL_FEATUREINFO_TEMPLATE =
  '/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}/{I}/{J}.{InfoFormat}';
export const RESTFUL_CAPABILITIES_PATH = '/1.0.0/WMTSCapabilities.xml';

const VARIABLES: Readonly<Record<string, string>> = {
  TileMatrixSet: String.raw`[\w_.:-]+`,
  TileMatrix: String.raw`\d+`,
  TileRow: String.raw`-?\d+`,
  TileCol: String.raw`-?\d+`,
  I: String.raw`\d+`,
  J: String.raw`\d+`,
  Style: String.raw`[\w_.:-]+`,
  Layer: String.raw`[\w_.:-]+`,
  Format: String.raw`\w+`,
  InfoFormat: String.raw`\w+`,
};
const DIMENSION_PATTERN = String.raw`[\w_.,:-]+`;
// `{Var}`, and the deprecated `{{Var}}`
const PLACEHOLDER = /\{?\{(\w+)\}\}?/g;

/** A compiled `restful_template` (or FeatureInfo template). */
export class RestfulTemplate {
  readonly template: string;
  /** Dimension variables in the template's own spelling (`{Time}` -> `Time`). */
  readonly dimensions: readonly string[];
  readonly #regexp: RegExp;

  /** Throws `ServiceError` (`SERVICE_INVALID_TEMPLATE`) when a required variable is missing. */
  constructor(template: string, required: readonly string[]) {
    this.template = template;
    const dimensions: string[] = [];
    const found = new Set<string>();
    let pattern = '';
    let last = 0;
    for (const match of template.matchAll(PLACEHOLDER)) {
      const name = match[1] ?? '';
      pattern += escapeRegExp(template.slice(last, match.index));
      last = match.index + match[0].length;
      const known = VARIABLES[name];
      const group = known === undefined ? name.toLowerCase() : name;
      if (known === undefined) dimensions.push(name);
      if (found.has(group)) {
        throw new ServiceError(
          `variable {${name}} repeated in WMTS restful template`,
          'SERVICE_INVALID_TEMPLATE',
          {
            setting: template,
          },
        );
      }
      found.add(group);
      pattern += `(?<${group}>${known ?? DIMENSION_PATTERN})`;
    }
    pattern += escapeRegExp(template.slice(last));
    const missing = required.filter((name) => !found.has(name));
    if (missing.length > 0) {
      throw new ServiceError(
        `missing required variables in WMTS restful template: ${missing.join(', ')}`,
        'SERVICE_INVALID_TEMPLATE',
        { setting: template },
      );
    }
    this.dimensions = dimensions;
    // MapProxy searches (not anchored) for `/wmts` + the template
    try {
      this.#regexp = new RegExp(`/wmts${pattern}`);
    } catch (error) {
      throw new ServiceError(`invalid WMTS restful template ${template}`, 'SERVICE_INVALID_TEMPLATE', {
        setting: template,
        cause: error,
      });
    }
  }

  /** The template variables of `path` (dimension names lower-cased), or null when it does not match. */
  match(path: string): Readonly<Record<string, string>> | null {
    // every group of the pattern is mandatory, so all of them are set on a match
    const groups = this.#regexp.exec(path)?.groups;
    return groups === undefined ? null : { ...groups };
  }
}

export const TILE_TEMPLATE_REQUIRED = ['TileCol', 'TileRow', 'TileMatrix', 'TileMatrixSet', 'Layer'] as const;
export const FEATUREINFO_TEMPLATE_REQUIRED = [...TILE_TEMPLATE_REQUIRED, 'I', 'J'] as const;

/**
 * A RESTful request below `/wmts`: capabilities, tile or FeatureInfo, or null when the path
 * matches neither template (answered with a plain 404; MapProxy 1.15 answers a 500).
 */
export function parseRestfulRequest(
  path: string,
  tileTemplate: RestfulTemplate,
  featureInfoTemplate: RestfulTemplate,
): WmtsRequest | null {
  if (path.endsWith(RESTFUL_CAPABILITIES_PATH)) return { kind: 'capabilities' };
  const tileVars = tileTemplate.match(path);
  if (tileVars !== null) return { kind: 'tile', ...common(tileVars, tileTemplate) };
  const infoVars = featureInfoTemplate.match(path);
  if (infoVars !== null) {
    return {
      kind: 'featureinfo',
      ...common(infoVars, featureInfoTemplate),
      infoFormat: infoVars.InfoFormat ?? '',
      pos: [Number(infoVars.I), Number(infoVars.J)],
    };
  }
  return null;
}

function common(vars: Readonly<Record<string, string>>, template: RestfulTemplate) {
  const dimensions: Record<string, string> = {};
  for (const name of template.dimensions) {
    const key = name.toLowerCase();
    dimensions[key] = vars[key] ?? '';
  }
  return {
    layer: vars.Layer ?? '',
    tileMatrixSet: vars.TileMatrixSet ?? '',
    tile: { x: Number(vars.TileCol), y: Number(vars.TileRow), z: Number(vars.TileMatrix) },
    format: vars.Format ?? null,
    dimensions,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
