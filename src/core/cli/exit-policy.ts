/**
 * The one exit-code policy of every command: which kind of failure an error is, the exit code of
 * that kind, and the lines that tell the user (`error: ...`, plus `hint: ...` where the fix is known).
 */
import { resolve } from 'node:path';
import { ConfigError, ConfigErrors, formatConfigProblem } from '../config/errors.js';
import { ProxyError } from '../util/index.js';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.js';

/**
 * `usage`: the arguments or options are wrong or missing; `config`: a configuration (mapproxy.yaml,
 * seed.yaml, log ini) cannot be used; `not-found`: a name the command was asked to act on does not
 * exist; `refused`: the command would overwrite something, or has nothing to do; `failed`: the run
 * itself failed (network, server start, tiles).
 */
export type FailureKind = 'usage' | 'config' | 'not-found' | 'refused' | 'failed';

/** STYLE.md section 5: 1 for a runtime failure or a refusal, 2 for a usage or configuration error. */
export const EXIT_CODES: Readonly<Record<FailureKind, 1 | 2>> = {
  usage: 2,
  config: 2,
  'not-found': 1,
  refused: 1,
  failed: 1,
};

/**
 * Commands whose output is MapProxy 1.15's, exit codes included (pinned by the captured cases in
 * test/fixtures/mapproxy-1.15/cases.tsv): MapProxy's `grids` and `scales` exit 1 on usage errors.
 */
const MAPPROXY_USAGE_EXIT_1: ReadonlySet<string> = new Set(['grids', 'scales']);

/** Every code of the catalogue has a kind: a new code does not compile until it is given one. */
const KIND_OF: Readonly<Record<ErrorCode, FailureKind>> = {
  LOG_CONFIG: 'config',
  SRS_UNKNOWN: 'config',
  SRS_TRANSFORM: 'failed',
  GRID_MISSING_BBOX: 'config',
  GRID_INVALID_OPTION: 'config',
  GRID_INVALID_BBOX: 'config',
  GRID_TOO_MANY_TILES: 'failed',
  GRID_UNKNOWN_SRS: 'config',
  GRID_UNKNOWN_BASE: 'config',
  GRID_UNKNOWN_GRID: 'config',
  GRID_BASE_CYCLE: 'config',
  GRID_INVALID_LEVEL: 'failed',
  GRID_EMPTY_COVERAGE: 'failed',
  IMAGE_DECODE: 'failed',
  IMAGE_ENCODE: 'failed',
  IMAGE_FORMAT: 'config',
  IMAGE_INVALID: 'failed',
  IMAGE_OPTION: 'config',
  IMAGE_TRANSFORM: 'failed',
  UPSTREAM_TIMEOUT: 'failed',
  UPSTREAM_CONNECT: 'failed',
  UPSTREAM_TLS: 'failed',
  UPSTREAM_STATUS: 'failed',
  UPSTREAM_INVALID_URL: 'failed',
  UPSTREAM_ABORTED: 'failed',
  UPSTREAM_INTERNAL: 'failed',
  SOURCE_HTTP: 'failed',
  SOURCE_NOT_IMAGE: 'failed',
  SOURCE_IMAGE_SIZE: 'failed',
  SOURCE_INVALID_QUERY: 'failed',
  SOURCE_INVALID_CONFIG: 'config',
  SOURCE_UNSUPPORTED: 'config',
  CACHE_LOCK_TIMEOUT: 'failed',
  CACHE_LOCK: 'failed',
  CACHE_WRITE: 'failed',
  CACHE_READ: 'failed',
  CACHE_INVALID_OPTION: 'config',
  CACHE_INVALID_DIMENSION: 'config',
  LAYER_INVALID_BBOX: 'failed',
  LAYER_INVALID_DIMENSION: 'failed',
  LAYER_INVALID_REQUEST: 'failed',
  SERVICE_REQUEST: 'failed',
  SERVICE_INVALID_TEMPLATE: 'config',
  CONFIG_FILE_NOT_FOUND: 'config',
  CONFIG_SYNTAX: 'config',
  CONFIG_NOT_A_MAPPING: 'config',
  CONFIG_NOT_MAPPROXY: 'config',
  CONFIG_ALIAS_LIMIT: 'config',
  CONFIG_FILE_TOO_LARGE: 'config',
  CONFIG_BASE_NOT_FOUND: 'config',
  CONFIG_BASE_CYCLE: 'config',
  CONFIG_TYPE: 'config',
  CONFIG_MISSING_KEY: 'config',
  CONFIG_UNKNOWN_TYPE: 'config',
  CONFIG_UNKNOWN_REF: 'config',
  CONFIG_REF_CYCLE: 'config',
  CONFIG_INVALID_VALUE: 'config',
  CONFIG_SEED_LEGACY: 'config',
  CONFIG_INVALID: 'config',
  // scales' values, grids' option pairs
  TOOLS_INVALID_VALUE: 'usage',
  TOOLS_OPTION_CONFLICT: 'usage',
  TOOLS_UNKNOWN_GRID: 'not-found',
  TOOLS_UNKNOWN_COVERAGE: 'not-found',
  TOOLS_EMPTY_COVERAGE: 'config',
  TOOLS_CAPABILITIES_UNREACHABLE: 'failed',
  TOOLS_CAPABILITIES_INVALID: 'failed',
  // the server cannot start on that address or with that script (MapProxy 1.15 exits 1 as well)
  SERVER_BAD_BIND: 'failed',
  SERVER_LISTEN: 'failed',
  SERVER_BAD_SCRIPT: 'failed',
  SERVER_WORKER_FAILED: 'failed',
  SERVER_BAD_PROJECT_DIR: 'usage',
  SEED_UNKNOWN_TASK: 'not-found',
  SEED_COVERAGE: 'config',
  SEED_PROGRESS_FILE: 'config',
  SEED_METRICS_FILE: 'failed',
  SEED_INVALID_OPTION: 'usage',
  SEED_DESTINATION_EXISTS: 'refused',
  SEED_UNKNOWN_CACHE: 'not-found',
  SEED_UNKNOWN_SOURCE: 'not-found',
  SEED_UNKNOWN_GRID: 'not-found',
  SCAFFOLD_UNKNOWN_TEMPLATE: 'usage',
  SCAFFOLD_NEEDS_CONFIG: 'usage',
  SCAFFOLD_EXISTS: 'refused',
  SCAFFOLD_WRITE: 'failed',
  CLI_USAGE: 'usage',
  CLI_INPUT_ENDED: 'failed',
};

/** The fix, where one is known, for a command that failed with a code. */
const HINTS: Partial<Record<ErrorCode, (command: string) => string>> = {
  LOG_CONFIG: () => '`mapproxy-util create -t log-ini log.ini` writes a working example',
  SCAFFOLD_UNKNOWN_TEMPLATE: () => '`mapproxy-util create -l` lists the templates',
  SEED_PROGRESS_FILE: () => 'remove the file, or give another --progress-file',
  SEED_METRICS_FILE: () => 'give a --metrics-file in a directory this user can write',
  SERVER_LISTEN: () => 'give another address with -b HOST:PORT (port 0 picks a free one)',
};

export interface FailureReport {
  readonly kind: FailureKind;
  readonly exitCode: 1 | 2;
  /** Lines for stdout (MapProxy prints a few of its messages there), without newlines. */
  readonly stdout: readonly string[];
  /** Lines for stderr, without newlines: `error: ...` first (after any config warnings). */
  readonly stderr: readonly string[];
}

/** Where a command writes: oclif's `Command` fits as it is. */
export interface FailureOutput {
  log(line: string): void;
  logToStderr(line: string): void;
}

const CODES: ReadonlySet<string> = new Set(ERROR_CATALOGUE.flatMap((entry) => entry.codes));

function isCatalogued(error: unknown): error is ProxyError & { readonly code: ErrorCode } {
  return error instanceof ProxyError && CODES.has(error.code);
}

/** The exit code of a failure of `kind` in `command` (for outcomes that are no error, e.g. failed tiles). */
export function exitCodeFor(kind: FailureKind, command: string): 1 | 2 {
  return kind === 'usage' && MAPPROXY_USAGE_EXIT_1.has(command) ? 1 : EXIT_CODES[kind];
}

/** `error: ` on the first line of a message; the lines after it (e.g. the names available) follow as they are. */
function errorLines(message: string): string[] {
  const [first = '', ...rest] = message.split('\n');
  return [`error: ${first}`, ...rest];
}

function messageLines(error: ProxyError): string[] {
  if (error instanceof ConfigErrors) {
    return [
      ...error.warnings.map((warning) => `warning: ${formatConfigProblem(warning)}`),
      ...error.errors.flatMap((problem) => errorLines(problem.format())),
    ];
  }
  if (error instanceof ConfigError) return errorLines(error.format());
  const lines = errorLines(error.message);
  // wms-capabilities: what the server answered instead of capabilities, as MapProxy shows it
  const document = (error as { document?: unknown }).document;
  if (typeof document === 'string')
    lines.push('Received document:', '-'.repeat(80), document, '-'.repeat(80));
  return lines;
}

/** MapProxy's own words where our output is its captured output (grids). */
function mapproxyWording(
  error: ProxyError,
  command: string,
): Pick<FailureReport, 'stdout' | 'stderr'> | null {
  if (command !== 'grids') return null;
  // MapProxy's words for a missing file only: a directory or an unreadable file is not "No such file"
  const missing =
    error instanceof ConfigErrors
      ? error.errors.find((e) => e.code === 'CONFIG_FILE_NOT_FOUND' && e.detail === 'file not found')
      : undefined;
  if (missing !== undefined)
    return { stdout: [], stderr: [`ERROR:  No such file or directory: '${resolve(missing.file)}'`] };
  if (error instanceof ConfigError || error instanceof ConfigErrors) {
    return { stdout: [], stderr: [...messageLines(error), 'ERROR: invalid configuration (see above)'] };
  }
  // grids.py prints these two on stdout
  if (error.code === 'TOOLS_UNKNOWN_GRID' || error.code === 'TOOLS_OPTION_CONFLICT')
    return { stdout: [error.message], stderr: [] };
  return null;
}

/**
 * How `command` (its oclif id, e.g. `seed`) reports `error`: kind, exit code and lines. Null for
 * anything that is not a catalogued ProxyError: a bug, to crash loudly with its stack.
 */
export function failureReport(error: unknown, command: string): FailureReport | null {
  if (!isCatalogued(error)) return null;
  const kind = KIND_OF[error.code];
  const exitCode = exitCodeFor(kind, command);
  const wording = mapproxyWording(error, command);
  if (wording !== null) return { kind, exitCode, ...wording };
  const stderr = messageLines(error);
  const hint =
    HINTS[error.code]?.(command) ??
    (kind === 'usage' ? `see \`mapproxy-util ${command} --help\`` : undefined);
  if (hint !== undefined) stderr.push(`hint: ${hint}`);
  return { kind, exitCode, stdout: [], stderr };
}

/**
 * Writes the report of `error` through `out` and returns its exit code, for `this.exit(...)`.
 * Rethrows anything that is not a catalogued ProxyError (oclif then prints it with its stack).
 */
export function presentFailure(error: unknown, command: string, out: FailureOutput): 1 | 2 {
  const report = failureReport(error, command);
  if (report === null) throw error;
  for (const line of report.stdout) out.log(line);
  for (const line of report.stderr) out.logToStderr(line);
  return report.exitCode;
}
