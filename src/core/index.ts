/**
 * The engine's public surface: the use cases the commands (and library users) call.
 * Nothing else from src/core may be imported by src/commands.
 */
export { ProxyError } from './util/index.js';
// errors and types only: the loaders (and with them yaml) come with the first `loadConfig`
export {
  configErrorAt,
  formatConfigProblem,
  ConfigError,
  ConfigErrors,
  type ConfigWarning,
} from './config/errors.js';
export type {
  LoadedConfig,
  LoadedSeedConfig,
  CheckConfigOptions,
  CheckConfigResult,
  ConfigCheck,
  ProxyConfig,
  SeedConfig,
} from './config/index.js';
export { ToolsError, type ToolsErrorCode } from './tools/errors.js';
export type { ScalesOptions } from './tools/scales.js';
export { formatGridsReport } from './tools/format-grids.js';
export type { DescribeGridsOptions, GridsReport } from './tools/describe-grids.js';
export type { CapabilitiesVersion } from './tools/wms-capabilities.js';
export { formatWmsCapabilities } from './tools/format-wms-capabilities.js';
export { parseBind, type BindAddress } from './server/bind.js';
export { ServerError } from './server/errors.js';
export { logUnhandledRejections } from './server/unhandled-rejections.js';
export { leaveWorkingDirectory } from './server/working-directory.js';
export type { StartServerOptions, RunningServer } from './server/index.js';
export { configureLogging, type LoggingConfig } from './util/index.js';
export {
  CliError,
  EXIT_CODES,
  exitCodeFor,
  failureReport,
  presentFailure,
  type FailureKind,
  type FailureOutput,
  type FailureReport,
} from './cli/index.js';
export type {
  MultiAppOptions,
  MultiMapProxyApplication,
  StartMultiAppServerOptions,
  RunningMultiAppServer,
  MakeAppOptions,
  MapProxyApplication,
  ServeOptions,
  ServeCluster,
} from './server/index.js';
export { configureLoggingFromIni, configureServerLogging, LogConfigError } from './util/index.js';
export {
  listTemplates,
  writeTemplate,
  ScaffoldError,
  type TemplateInfo,
  type WriteTemplateOptions,
} from './scaffold/index.js';
export { SeedError } from './seed/errors.js';
export type {
  RunSeedOptions,
  SeedRunResult,
  SeedRunStatus,
  SeedPlan,
  SeedEvent,
  SeedTaskInfo,
  TaskStats,
  SeedBenchmark,
} from './seed/index.js';

/*
 * The use cases load their modules on first call: serving and seeding bring fastify, sharp and
 * worker pools, loading a config brings yaml, grids and scales bring proj4; `--help`, `--version`,
 * `create` and every command's start (oclif may import them all) need none of these.
 */
type ServerModule = typeof import('./server/index.js');
type SeedModule = typeof import('./seed/index.js');
type AppModule = typeof import('./app/index.js');
type GridsModule = typeof import('./tools/describe-grids.js');
type CapabilitiesModule = typeof import('./tools/wms-capabilities.js');
type ConfigModule = typeof import('./config/index.js');
type ScalesModule = typeof import('./tools/scales.js');
type SeedPlanModule = typeof import('./seed/format-plan.js');
const server = (): Promise<ServerModule> => import('./server/index.js');
const seed = (): Promise<SeedModule> => import('./seed/index.js');
const app = (): Promise<AppModule> => import('./app/index.js');
const config = (): Promise<ConfigModule> => import('./config/index.js');

/** mapproxy.yaml through all validation stages; rejects with `ConfigErrors`. */
export const loadConfig: ConfigModule['loadConfig'] = async (...args) => (await config()).loadConfig(...args);
/** seed.yaml through all validation stages; rejects with `ConfigErrors`. */
export const loadSeedConfig: ConfigModule['loadSeedConfig'] = async (...args) =>
  (await config()).loadSeedConfig(...args);
/** `scales`: the lines MapProxy's `mapproxy-util scales` prints; rejects with `ToolsError`. */
export const describeScales = async (
  ...args: Parameters<ScalesModule['describeScales']>
): Promise<ReturnType<ScalesModule['describeScales']>> =>
  (await import('./tools/scales.js')).describeScales(...args);
/** `seed --summary`: MapProxy's text for a seed plan. */
export const formatSeedPlan = async (
  ...args: Parameters<SeedPlanModule['formatSeedPlan']>
): Promise<ReturnType<SeedPlanModule['formatSeedPlan']>> =>
  (await import('./seed/format-plan.js')).formatSeedPlan(...args);

/** Serves one configuration (see `StartServerOptions`); rejects with its `ConfigErrors`. */
export const startServer: ServerModule['startServer'] = async (options) =>
  (await server()).startServer(options);
/** A Node request handler for one configuration (`mapproxy-util create -t wsgi-app`). */
export const makeApp: ServerModule['makeApp'] = async (...args) => (await server()).makeApp(...args);
/** A request handler serving every `DIR/NAME.yaml` at `/NAME/`. */
export const makeMultiApp: ServerModule['makeMultiApp'] = async (...args) =>
  (await server()).makeMultiApp(...args);
/** `serve-multiapp-develop`: `makeMultiApp` on a listening server. */
export const startMultiAppServer: ServerModule['startMultiAppServer'] = async (options) =>
  (await server()).startMultiAppServer(options);
/** `mapproxy-util serve`: the primary of worker processes on one socket. */
export const serve: ServerModule['serve'] = async (options) => (await server()).serve(options);
/** Seeds and cleans as a seed.yaml says; never prints (progress goes to `onEvent`). */
export const runSeed: SeedModule['runSeed'] = async (options) => (await seed()).runSeed(options);
/** `export`: a cache copied into another cache type, grid, coverage and levels by seeding. */
export const runExport: SeedModule['runExport'] = async (options) => (await seed()).runExport(options);
/** `defrag-compact-cache`: compact cache bundles rewritten without their dead space. */
export const runDefrag: SeedModule['runDefrag'] = async (options) => (await seed()).runDefrag(options);
/** The seed plan (`--summary`) without running it. */
export const planSeedRun: SeedModule['planSeedRun'] = async (...args) => (await seed()).planSeedRun(...args);
/** One seed run measured in tiles per second (`npm run bench`). */
export const benchmarkSeed: SeedModule['benchmarkSeed'] = async (options) =>
  (await seed()).benchmarkSeed(options);
/** `check`: the whole build `serve` runs, touching no network and no cache. */
export const checkConfig: AppModule['checkConfiguration'] = async (options) =>
  // with a seed.yaml, its tasks are planned as seed plans them (seed/ loaded only then)
  (await app()).checkConfiguration(
    options,
    options.seedFile === undefined ? undefined : (await seed()).seedPlanProblems,
  );
/** `grids`: the grids of a configuration with their levels. */
export const describeGrids: GridsModule['describeGrids'] = async (options) =>
  (await import('./tools/describe-grids.js')).describeGrids(options);
/** `wms-capabilities`: a remote WMS's capabilities; rejects with `ToolsError`. */
export const fetchWmsCapabilities: CapabilitiesModule['fetchWmsCapabilities'] = async (...args) =>
  (await import('./tools/wms-capabilities.js')).fetchWmsCapabilities(...args);
