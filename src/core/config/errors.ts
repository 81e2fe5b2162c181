/**
 * Config problems: one positioned `ConfigError` per problem, collected per validation stage into
 * one `ConfigErrors`; warnings share the same shape and rendering.
 */
import { isAbsolute, parse, relative } from 'node:path';
import { ProxyError } from '../util/index.js';

/** One segment of a config path: a mapping key or a list index. */
export type ConfigPathSegment = string | number;
export type ConfigPath = readonly ConfigPathSegment[];

/** Where a config value came from; line and column are 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Stable codes of fatal config problems. */
export const CONFIG_ERROR_CODES = [
  'CONFIG_FILE_NOT_FOUND',
  'CONFIG_SYNTAX',
  'CONFIG_NOT_A_MAPPING',
  'CONFIG_NOT_MAPPROXY',
  'CONFIG_ALIAS_LIMIT',
  'CONFIG_FILE_TOO_LARGE',
  'CONFIG_BASE_NOT_FOUND',
  'CONFIG_BASE_CYCLE',
  'CONFIG_TYPE',
  'CONFIG_MISSING_KEY',
  'CONFIG_UNKNOWN_TYPE',
  'CONFIG_UNKNOWN_REF',
  'CONFIG_REF_CYCLE',
  'CONFIG_INVALID_VALUE',
  'CONFIG_SEED_LEGACY',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** Stable codes of config warnings (the configuration still loads). */
export const CONFIG_WARNING_CODES = [
  'CONFIG_UNKNOWN_KEY',
  'CONFIG_ENV_UNSET',
  'CONFIG_DUPLICATE_KEY',
  'CONFIG_DEFAULT_GRID',
  'CONFIG_DEFAULT_ORIGIN',
  'CONFIG_MISSING_SECTION',
  'CONFIG_LAYER_NO_SOURCES',
  'CONFIG_WMS_NO_LAYERS',
  'CONFIG_IGNORED_KEY',
  'CONFIG_SEED_FILE',
  'CONFIG_REF_IGNORED',
] as const;
export type ConfigWarningCode = (typeof CONFIG_WARNING_CODES)[number];

/** A problem that does not stop loading, e.g. an unknown key. */
export interface ConfigWarning extends SourcePosition {
  readonly code: ConfigWarningCode;
  readonly path: ConfigPath;
  readonly message: string;
}

/**
 * Turns errors into warnings (`CONFIG_REF_IGNORED`), for callers that use only part of a
 * configuration, as MapProxy's `grids` command ignores broken layer references.
 */
export function asWarnings(errors: readonly ConfigError[]): ConfigWarning[] {
  return errors.map((e) => ({
    code: 'CONFIG_REF_IGNORED',
    file: e.file,
    line: e.line,
    column: e.column,
    path: e.path,
    message: e.detail,
  }));
}

/** Renders a path as `caches.osm.grids[0]`. */
export function formatConfigPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/**
 * Shows `file` relative to `cwd` when it lies below it, else as an absolute path (always below
 * `/`, where a server went once started: working-directory.ts in server/).
 */
export function displayFile(file: string, cwd: string = process.cwd()): string {
  if (file === '' || !isAbsolute(file) || cwd === parse(cwd).root) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Renders `mapproxy.yaml:41:13 caches.osm.grids[0]: message` (line/column omitted when unknown). */
export function formatConfigProblem(
  problem: SourcePosition & { readonly path: ConfigPath; readonly message: string },
  cwd?: string,
): string {
  const where =
    problem.line > 0
      ? `${displayFile(problem.file, cwd)}:${problem.line}:${problem.column}`
      : displayFile(problem.file, cwd);
  const path = formatConfigPath(problem.path);
  return path === '' ? `${where}: ${problem.message}` : `${where} ${path}: ${problem.message}`;
}

/** One fatal, positioned config problem. */
export class ConfigError extends ProxyError {
  declare readonly code: ConfigErrorCode;
  readonly file: string;
  readonly path: ConfigPath;
  readonly line: number;
  readonly column: number;
  /** The message without position, e.g. `unknown grid "webmerc"`. */
  readonly detail: string;

  constructor(
    code: ConfigErrorCode,
    at: SourcePosition,
    path: ConfigPath,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(formatConfigProblem({ ...at, path, message: detail }), code, options);
    this.file = at.file;
    this.path = path;
    this.line = at.line;
    this.column = at.column;
    this.detail = detail;
  }

  /** Same rendering as `message`, with the file shown relative to `cwd`. */
  format(cwd?: string): string {
    return formatConfigProblem(
      { file: this.file, line: this.line, column: this.column, path: this.path, message: this.detail },
      cwd,
    );
  }
}

/** Every fatal problem of one validation stage, plus the warnings found so far. */
export class ConfigErrors extends ProxyError {
  declare readonly code: 'CONFIG_INVALID';
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigWarning[];

  constructor(errors: readonly ConfigError[], warnings: readonly ConfigWarning[] = []) {
    super(errors.map((e) => e.message).join('\n'), 'CONFIG_INVALID');
    this.errors = errors;
    this.warnings = warnings;
  }
}

/**
 * A `ConfigError` for a problem found after loading (e.g. while building a grid), positioned
 * at `path` in the YAML (or its closest written parent).
 */
export function configErrorAt(
  loaded: { locateNearest(path: ConfigPath): SourcePosition },
  path: ConfigPath,
  message: string,
  code: ConfigErrorCode = 'CONFIG_INVALID_VALUE',
  options?: { cause?: unknown },
): ConfigError {
  return new ConfigError(code, loaded.locateNearest(path), path, message, options);
}
