/**
 * Every error code of the engine in one list, each with the module and class that own it. The
 * codes themselves stay in each module's `errors.ts`; this only gathers them so they can be
 * enumerated (the exit-code policy classifies them, a test guards their uniqueness).
 */
import { CacheError, CACHE_ERROR_CODES } from '../cache/errors.js';
import { UpstreamError, UPSTREAM_ERROR_CODES } from '../client/errors.js';
import { ConfigError, ConfigErrors, CONFIG_ERROR_CODES, CONFIG_WARNING_CODES } from '../config/errors.js';
import { GridError, GRID_ERROR_CODES } from '../grid/errors.js';
import { ImageError, IMAGE_ERROR_CODES } from '../image/errors.js';
import { DimensionValueError, MapBBoxError, MapRequestError } from '../layer/errors.js';
import { ScaffoldError, SCAFFOLD_ERROR_CODES } from '../scaffold/errors.js';
import { SeedError, SEED_ERROR_CODES } from '../seed/errors.js';
import { ServerError, SERVER_ERROR_CODES } from '../server/errors.js';
import { OgcError, ServiceError, SERVICE_ERROR_CODES } from '../service/errors.js';
import { SourceError, SOURCE_ERROR_CODES } from '../source/errors.js';
import { SrsError, SRS_ERROR_CODES } from '../srs/errors.js';
import { ToolsError, TOOLS_ERROR_CODES } from '../tools/errors.js';
import { LogConfigError, UTIL_ERROR_CODES, type ProxyError } from '../util/index.js';
import { CliError, CLI_ERROR_CODES } from './errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructors differ; only the instance type matters
type ErrorClass = abstract new (...args: any[]) => ProxyError;

/** One error class with the codes it raises. */
export interface CatalogueEntry<Code extends string = string> {
  /** The core module that owns the class (`src/core/<module>/errors.ts`). */
  readonly module: string;
  /** What every code of the module starts with, before `_`: the module's name, or what fails there. */
  readonly prefix: string;
  readonly owner: ErrorClass;
  readonly codes: readonly Code[];
}

/** An entry whose codes the compiler checks against the class's own `code` type. */
function entry<C extends ErrorClass, const Codes extends readonly InstanceType<C>['code'][]>(
  module: string,
  prefix: string,
  owner: C,
  codes: Codes,
): CatalogueEntry<Codes[number]> {
  return { module, prefix, owner, codes };
}

/** Every error class of the engine, in the module order of STYLE.md section 2. */
export const ERROR_CATALOGUE = [
  // util's one error is about the log ini it reads
  entry('util', 'LOG', LogConfigError, UTIL_ERROR_CODES),
  entry('srs', 'SRS', SrsError, SRS_ERROR_CODES),
  entry('grid', 'GRID', GridError, GRID_ERROR_CODES),
  entry('image', 'IMAGE', ImageError, IMAGE_ERROR_CODES),
  // client's errors are named for what failed: the upstream server
  entry('client', 'UPSTREAM', UpstreamError, UPSTREAM_ERROR_CODES),
  entry('source', 'SOURCE', SourceError, SOURCE_ERROR_CODES),
  entry('cache', 'CACHE', CacheError, CACHE_ERROR_CODES),
  entry('layer', 'LAYER', MapBBoxError, ['LAYER_INVALID_BBOX']),
  entry('layer', 'LAYER', DimensionValueError, ['LAYER_INVALID_DIMENSION']),
  entry('layer', 'LAYER', MapRequestError, ['LAYER_INVALID_REQUEST']),
  entry('service', 'SERVICE', OgcError, ['SERVICE_REQUEST']),
  entry('service', 'SERVICE', ServiceError, SERVICE_ERROR_CODES),
  entry('config', 'CONFIG', ConfigError, CONFIG_ERROR_CODES),
  entry('config', 'CONFIG', ConfigErrors, ['CONFIG_INVALID']),
  entry('tools', 'TOOLS', ToolsError, TOOLS_ERROR_CODES),
  entry('server', 'SERVER', ServerError, SERVER_ERROR_CODES),
  entry('seed', 'SEED', SeedError, SEED_ERROR_CODES),
  entry('scaffold', 'SCAFFOLD', ScaffoldError, SCAFFOLD_ERROR_CODES),
  entry('cli', 'CLI', CliError, CLI_ERROR_CODES),
] as const;

/** Every code an error of the engine can carry. */
export type ErrorCode = (typeof ERROR_CATALOGUE)[number]['codes'][number];

/** Codes of config warnings: no error class, but they share the code space and must not collide. */
export const WARNING_CATALOGUE: readonly { readonly module: string; readonly prefix: string; readonly codes: readonly string[] }[] = [
  { module: 'config', prefix: 'CONFIG', codes: CONFIG_WARNING_CODES },
];
