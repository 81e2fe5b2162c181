/** Small, dependency-free helpers every other core module may use. */
export {
  ProxyError,
  LogConfigError,
  UTIL_ERROR_CODES,
  isErrno,
  systemErrorText,
  withSystemReason,
  withCauses,
} from './errors.js';
export { Gate } from './gate.js';
export { processCores, PROCESSES_ENV } from './cores.js';
export {
  type BBox,
  type Size,
  bboxWidth,
  bboxHeight,
  bboxIntersects,
  bboxIntersection,
  bboxContains,
  isValidBBox,
} from './geometry.js';
export { escapeXml, xml, RawXml } from './xml.js';
export { runXslt, hasXsltproc, XSLTPROC, type XsltOptions, type XsltOutput } from './xslt.js';
export {
  PyInt,
  type PyValue,
  pyFloatRepr,
  pyFixed,
  pyFloat,
  pyStrRepr,
  pyRepr,
  pyStr,
  pyPercent,
} from './py-format.js';
export {
  getLogger,
  configureLogging,
  onLog,
  formatLogRecord,
  ACCESS_LOGGER,
  type Logger,
  type LogLevel,
  type LogRecord,
  type LoggingConfig,
  configureLoggingSetup,
  formatPyRecord,
  type LogSetup,
  type LogHandlerSpec,
  type LoggerSpec,
  type PyLogLevel,
} from './log.js';
export { configureLoggingFromIni, configureServerLogging, parseLogIni } from './log-ini.js';
export { VERSION } from './version.js';
export {
  tryLockFile,
  pollFor,
  preloadFileLocks,
  wakeOnEntry,
  type FileLockOptions,
  type FileLockRelease,
  type PollOptions,
} from './file-lock.js';
export { findDeadOwner } from './lock-owner.js';
export { watchDirectory, watchedDirectoryCount } from './directory-watch.js';
export { ensureDirectory } from './make-directory.js';
export { removeTree } from './remove-tree.js';
export { writeFileAtomic, removeStaleTempFiles, type WriteModes } from './atomic-write.js';
export { readFileWithMtime, type FileWithMtime } from './read-file-with-mtime.js';
export { requireOnFirstUse } from './require-on-first-use.js';
export type { Freshness } from './freshness.js';
export {
  metrics,
  metricsText,
  clusterMetricsText,
  joinMetricsCluster,
  METRICS_CONTENT_TYPE,
} from './metrics.js';
export { SeedRunMetrics, type SeedTaskLabels, type SeedTaskSample } from './seed-metrics.js';
