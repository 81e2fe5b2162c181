/**
 * The engine's public surface: the use cases the commands (and library users) call.
 * Nothing else from src/core may be imported by src/commands.
 */
export { ProxyError } from './util/index.js';
export {
  loadConfig,
  loadSeedConfig,
  configErrorAt,
  formatConfigProblem,
  ConfigError,
  ConfigErrors,
  type LoadedConfig,
  type LoadedSeedConfig,
  type CheckConfigOptions,
  type CheckConfigResult,
  type ConfigCheck,
  type ConfigWarning,
  type ProxyConfig,
  type SeedConfig,
} from './config/index.js';
export {
  checkConfiguration as checkConfig,
  describeGrids,
  formatGridsReport,
  describeScales,
  AppError,
  type AppErrorCode,
  type DescribeGridsOptions,
  type GridsReport,
  type ScalesOptions,
  fetchWmsCapabilities,
  formatWmsCapabilities,
  type CapabilitiesVersion,
} from './app/index.js';
export {
  startServer,
  parseBind,
  ServerError,
  type StartServerOptions,
  type RunningServer,
  type BindAddress,
} from './server/index.js';
export { configureLogging, type LoggingConfig } from './util/index.js';
export {
  makeApp,
  makeMultiApp,
  startMultiAppServer,
  serve,
  failureReport,
  type MultiAppOptions,
  type MultiMapProxyApplication,
  type StartMultiAppServerOptions,
  type RunningMultiAppServer,
  type FailureReport,
  type MakeAppOptions,
  type MapProxyApplication,
  type ServeOptions,
  type ServeCluster,
  type ServeWorker,
} from './server/index.js';
export { configureLoggingFromIni, LogConfigError } from './util/index.js';
export {
  listTemplates,
  writeTemplate,
  ScaffoldError,
  type TemplateInfo,
  type WriteTemplateOptions,
} from './scaffold/index.js';
export {
  runSeed,
  planSeedRun,
  formatSeedPlan,
  benchmarkSeed,
  SeedError,
  type RunSeedOptions,
  type SeedRunResult,
  type SeedRunStatus,
  type SeedPlan,
  type SeedEvent,
  type SeedTaskInfo,
  type TaskStats,
  type SeedBenchmark,
} from './seed/index.js';
