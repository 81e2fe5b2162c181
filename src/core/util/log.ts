/**
 * Logging facade with MapProxy's dotted logger names (`mapproxy.config`, `mapproxy.source.request`),
 * backed by log4js. Core code logs only through `getLogger`; `configureLogging` decides where lines go.
 */
import { createRequire } from 'node:module';
import type { Appender, AppenderModule, Configuration, LoggingEvent } from 'log4js';
import { pyPercent } from './py-format.js';

type Log4js = typeof import('log4js');
let log4jsLib: Log4js | undefined;

/**
 * log4js, loaded on the first log line or configuration: commands that never log (`scales`,
 * `create`, `--help`) skip its start-up cost. A CJS package, so it can be required synchronously.
 */
function log4js(): Log4js {
  if (log4jsLib === undefined) {
    log4jsLib = createRequire(import.meta.url)('log4js') as Log4js;
    log4jsLib.addLayout(
      'python',
      (config: { format?: string; datefmt?: string }) => (event) =>
        formatPyRecord(config.format ?? '%(message)s', event, config.datefmt),
    );
  }
  return log4jsLib;
}

/** Python logging's level names as MapProxy uses them. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** One emitted log line, before formatting. */
export interface LogRecord {
  /** Dotted logger name, e.g. `mapproxy.source.request`. */
  readonly name: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly time: Date;
}

export interface Logger {
  readonly name: string;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Python's `isEnabledFor`: false when a line of `level` would be dropped. */
  isEnabled(level: LogLevel): boolean;
}

/**
 * Where lines go and which pass. Level settings use dotted names and inherit like Python logging:
 * `mapproxy.source` also sets `mapproxy.source.request` unless that has its own entry.
 * An ini `--log-config` (issue #5) is meant to be translated into this shape.
 */
export interface LoggingConfig {
  /** Level of the root logger; default `info` (`debug` for `serve-develop --debug`). */
  readonly level?: LogLevel | 'off';
  /** Levels of single loggers by dotted name, e.g. `{ 'mapproxy.source.request': 'warning' }`. */
  readonly levels?: Readonly<Record<string, LogLevel | 'off'>>;
  /** Write lines in MapProxy's dev-server format to stdout; default true. */
  readonly stdout?: boolean;
}

const LEVEL_NAMES: readonly LogLevel[] = ['debug', 'info', 'warning', 'error'];
/** Bumped by each configuration: loggers' cached level answers older than it are stale. */
let levelsVersion = 0;

/** Every (re)configuration of log4js (a log ini): the loggers' cached level answers go stale with it. */
function configureLog4js(config: Configuration): void {
  levelsVersion += 1;
  direct = null;
  log4js().configure(config);
}
const LOG4JS_LEVELS = { debug: 'debug', info: 'info', warning: 'warn', error: 'error', off: 'off' } as const;
const PY_LEVEL_NAMES: Readonly<Record<string, LogLevel>> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warning',
  ERROR: 'error',
};
/** Python's level names and numbers for log4js levels (FATAL is Python's CRITICAL). */
const PY_LEVELS: Readonly<Record<string, readonly [string, number]>> = {
  TRACE: ['DEBUG', 10],
  DEBUG: ['DEBUG', 10],
  INFO: ['INFO', 20],
  WARN: ['WARNING', 30],
  ERROR: ['ERROR', 40],
  FATAL: ['CRITICAL', 50],
};

/** The logger of the per-request access lines (`observeRequests` in server/). */
export const ACCESS_LOGGER = 'mapproxy.access';

const listeners = new Set<(record: LogRecord) => void>();

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Python's default `asctime` in local time: `2026-11-24 02:01:43,448`. */
export function asctime(time: Date): string {
  const date = `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  return `${date} ${clock},${pad(time.getMilliseconds(), 3)}`;
}

/**
 * A record in MapProxy's dev-server format `[%(asctime)s] %(name)s - %(levelname)s - %(message)s`,
 * e.g. `[2026-11-24 02:01:43,448] mapproxy.config - WARNING - ...` (Python level names).
 */
export function formatLogRecord(record: LogRecord): string {
  if (record.name === ACCESS_LOGGER) return accessLine(record.level, record.message);
  return `[${asctime(record.time)}] ${record.name} - ${record.level.toUpperCase()} - ${record.message}`;
}

/**
 * An access line as werkzeug's own handler writes it in MapProxy's dev server:
 * `[info] 127.0.0.1 - - [...] "GET ..."`.
 */
function accessLine(level: LogLevel, message: string): string {
  return `[${level}] ${message}`;
}

function toRecord(event: LoggingEvent): LogRecord {
  return {
    name: event.categoryName,
    level: PY_LEVEL_NAMES[event.level.levelStr] ?? 'error',
    message: event.data.map(String).join(' '),
    time: event.startTime,
  };
}

/** Access lines not written yet: they go out together (see below). */
let pendingAccess = '';
let accessFlush: NodeJS.Timeout | undefined;
let flushesOnExit = false;
/** How long an access line may wait for others, and how much text may wait. */
export const ACCESS_FLUSH_MS = 100;
const ACCESS_FLUSH_CHARS = 64 * 1024;

function flushAccessLines(): void {
  clearTimeout(accessFlush);
  accessFlush = undefined;
  const text = pendingAccess;
  pendingAccess = '';
  if (text !== '') process.stderr.write(text);
}

function queueAccessLine(line: string): void {
  pendingAccess += line;
  if (pendingAccess.length >= ACCESS_FLUSH_CHARS) flushAccessLines();
  else accessFlush ??= setTimeout(flushAccessLines, ACCESS_FLUSH_MS);
  if (!flushesOnExit) {
    flushesOnExit = true;
    process.once('exit', flushAccessLines);
  }
}

/**
 * The console as in MapProxy's dev server: werkzeug's request lines (our access logger) go to
 * stderr, so `2>/dev/null` keeps the application log alone. They go out together at most
 * `ACCESS_FLUSH_MS` after the first of them: stderr writes are synchronous for files and pipes,
 * and a reader of a pipe wakes for each. Written once per turn of the event loop, a cached tile
 * hit still cost 0.2-0.36 writes (a loop turn answers few requests when the machine is not
 * saturated); with a 10 ms wait, 0.05-0.1 writes of any kind (issue 13). A worker answers ~100 WMS
 * maps a second, one every ~10 ms: that wait wrote each map's line alone (a write, a timer set and
 * cleared, 4-5% of the worker's event-loop CPU under the bench's WMS load, perf); 100 ms batches
 * ~10 of them.
 */
function logAccessDirect(message: string): void {
  queueAccessLine(`${accessLine('info', message)}\n`);
  if (listeners.size === 0) return;
  const record: LogRecord = { name: ACCESS_LOGGER, level: 'info', message, time: new Date() };
  for (const listener of listeners) listener(record);
}

const listenerAppender: AppenderModule = {
  configure: () => (event) => {
    if (listeners.size === 0) return;
    const record = toRecord(event);
    for (const listener of listeners) listener(record);
  },
};

/**
 * (Re)configures all loggers; loggers obtained earlier follow the new settings. Without a call the
 * defaults apply: INFO and above to the console (stdout; access lines to stderr) in MapProxy's
 * dev-server format.
 */
export function configureLogging(config: LoggingConfig = {}): void {
  levelsVersion += 1;
  direct = directSetup(config);
}

interface DirectSetup {
  readonly stdout: boolean;
  /** Rank a line needs unless a dotted ancestor of its logger's name has its own. */
  readonly level: number;
  readonly levels: ReadonlyMap<string, number>;
}

function directSetup(config: LoggingConfig): DirectSetup {
  return {
    stdout: config.stdout !== false,
    level: LEVEL_RANKS[config.level ?? 'info'],
    levels: new Map(Object.entries(config.levels ?? {}).map(([name, level]) => [name, LEVEL_RANKS[level]])),
  };
}

const LEVEL_RANKS: Readonly<Record<LogLevel | 'off', number>> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  off: Infinity,
};

/**
 * `configureLogging`'s setup (console and listeners, levels by dotted name), done without log4js:
 * log4js (with streamroller and fs-extra, which its file appenders need at load) cost each seed,
 * `check` or `grids` ~30 ms of CPU and ~10 MB of RSS at start (issue 13). Only a log ini
 * (`configureLoggingSetup`) loads it; null while its setup is in force. Before any call, the
 * defaults. With stdout on, access lines go straight to the console's batch (and to `onLog`
 * listeners): under the bench's cached tile hits a log4js event and its dispatch were most of the
 * ~11 us an access line cost (issue 13).
 */
let direct: DirectSetup | null = directSetup({});

/** The rank a logger passes from, as log4js works it out: the nearest dotted ancestor with a level. */
function directRank(setup: DirectSetup, name: string): number {
  for (let at = name.length; at > 0; at = name.lastIndexOf('.', at - 1)) {
    const rank = setup.levels.get(name.slice(0, at));
    if (rank !== undefined) return rank;
  }
  return setup.level;
}

/** A line of `configureLogging`'s setup: to stdout (unless off) and to the listeners. */
function logDirect(setup: DirectSetup, name: string, level: LogLevel, message: string): void {
  const record: LogRecord = { name, level, message, time: new Date() };
  if (setup.stdout) process.stdout.write(`${formatLogRecord(record)}\n`);
  for (const listener of listeners) listener(record);
}

/**
 * Calls `listener` for every line that passes the level settings, whether or not it goes to
 * stdout (tests capture lines this way). Returns the function that removes the listener.
 */
export function onLog(listener: (record: LogRecord) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The logger for a dotted MapProxy name such as `mapproxy.source.wms`. */
export function getLogger(name: string): Logger {
  // resolved on the first line under a log ini's setup: merely importing a module that logs, or
  // logging under configureLogging's, does not load log4js
  let resolved: ReturnType<Log4js['getLogger']> | undefined;
  const logger = (): ReturnType<Log4js['getLogger']> => (resolved ??= log4js().getLogger(name));
  // log4js works a level out anew (and allocates) on each ask; a cached tile hit asks up to three
  // times, so the answers are kept until the next configuration (issue 13)
  let enabledVersion = -1;
  const enabled: Record<LogLevel, boolean> = { debug: false, info: false, warning: false, error: false };
  const isEnabled = (level: LogLevel): boolean => {
    if (enabledVersion !== levelsVersion) {
      if (direct !== null) {
        const rank = directRank(direct, name);
        for (const known of LEVEL_NAMES) enabled[known] = LEVEL_RANKS[known] >= rank;
      } else {
        const resolvedLogger = logger();
        for (const known of LEVEL_NAMES) enabled[known] = resolvedLogger.isLevelEnabled(LOG4JS_LEVELS[known]);
      }
      enabledVersion = levelsVersion;
    }
    return enabled[level];
  };
  const log = (level: LogLevel, message: string): void => {
    if (direct === null) logger()[LOG4JS_LEVELS[level]](message);
    else if (isEnabled(level)) logDirect(direct, name, level, message);
  };
  return {
    name,
    debug: (message) => {
      log('debug', message);
    },
    info: (message) => {
      if (direct?.stdout !== true || name !== ACCESS_LOGGER) log('info', message);
      else if (isEnabled('info')) logAccessDirect(message);
    },
    warn: (message) => {
      log('warning', message);
    },
    error: (message) => {
      log('error', message);
    },
    isEnabled,
  };
}

/** Python logging levels as a log ini names them; `notset` inherits from the parent logger. */
export type PyLogLevel = 'notset' | 'debug' | 'info' | 'warning' | 'error' | 'critical';

/** One Python logging handler: where lines go, the least level and the record format. */
export interface LogHandlerSpec {
  /** `file` appends to (or with mode `w` truncates) `filename`; `stream` writes to stdout/stderr. */
  readonly kind: 'file' | 'stream' | 'null';
  readonly filename?: string;
  readonly mode?: 'a' | 'w';
  readonly stream?: 'stdout' | 'stderr';
  /** RotatingFileHandler's `maxBytes`/`backupCount`. */
  readonly maxBytes?: number;
  readonly backupCount?: number;
  readonly level?: PyLogLevel;
  /** Python `%`-style record format, e.g. `%(asctime)s - %(levelname)s - %(name)s - %(message)s`. */
  readonly format: string;
  /** strftime format for `%(asctime)s`; Python's default when absent. */
  readonly datefmt?: string;
}

/** One Python logger: `qualname` `''` is the root logger. */
export interface LoggerSpec {
  readonly qualname: string;
  readonly level: PyLogLevel;
  readonly handlers: readonly string[];
  /** Whether records also reach the parent's handlers (Python's default: true). */
  readonly propagate: boolean;
}

/** A whole Python logging configuration, as `logging.config.fileConfig` reads it. */
export interface LogSetup {
  readonly handlers: Readonly<Record<string, LogHandlerSpec>>;
  readonly loggers: readonly LoggerSpec[];
}

const PY_TO_LOG4JS: Readonly<Record<PyLogLevel, string>> = {
  notset: 'all',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
};

function strftime(format: string, time: Date): string {
  const fields: Readonly<Record<string, string>> = {
    Y: String(time.getFullYear()),
    m: pad(time.getMonth() + 1),
    d: pad(time.getDate()),
    H: pad(time.getHours()),
    M: pad(time.getMinutes()),
    S: pad(time.getSeconds()),
    y: pad(time.getFullYear() % 100),
    '%': '%',
  };
  return format.replace(/%(.)/g, (all, key: string) => fields[key] ?? all);
}

const RECORD_FIELD = /%\((\w+)\)([-0 +#]*\d*(?:\.\d+)?[dfsr])/g;

/**
 * A log4js event in a Python logging format: `%(asctime)s` (`2026-11-24 12:00:00,123` or
 * `datefmt`), `%(levelname)s`, `%(levelno)d`, `%(name)s`, `%(message)s`, `%(process)d`,
 * `%(msecs)d`, `%(created)f`; other fields render empty. `%%` is a literal percent sign.
 */
export function formatPyRecord(format: string, event: LoggingEvent, datefmt?: string): string {
  const [levelname, levelno] = PY_LEVELS[event.level.levelStr] ?? ['ERROR', 40];
  const time = event.startTime;
  const values: Readonly<Record<string, string | number>> = {
    asctime: datefmt === undefined ? asctime(time) : strftime(datefmt, time),
    levelname,
    levelno,
    name: event.categoryName,
    message: event.data.map(String).join(' '),
    process: event.pid,
    msecs: time.getMilliseconds(),
    created: time.getTime() / 1000,
    threadName: 'MainThread',
    processName: 'MainProcess',
  };
  const pieces = format.split('%%');
  return pieces
    .map((piece) =>
      piece.replace(RECORD_FIELD, (_all, field: string, spec: string) => {
        const value = values[field] ?? '';
        return pyPercent(`%${spec}`, typeof value === 'number' && spec.endsWith('s') ? String(value) : value);
      }),
    )
    .join('%');
}

function handlerAppender(spec: LogHandlerSpec): Appender {
  const layout = { type: 'python', format: spec.format, datefmt: spec.datefmt };
  switch (spec.kind) {
    case 'file':
      return {
        type: 'file',
        filename: spec.filename ?? 'mapproxy.log',
        flags: spec.mode ?? 'a',
        // Python's FileHandler creates 0666 & ~umask (0644 usually); log4js would make it 0600
        mode: 0o666,
        layout,
        ...(spec.maxBytes !== undefined && spec.maxBytes > 0
          ? { maxLogSize: spec.maxBytes, backups: spec.backupCount ?? 0 }
          : {}),
      };
    case 'stream':
      return { type: spec.stream ?? 'stderr', layout };
    case 'null':
      return { type: listenerAppender };
  }
}

/**
 * (Re)configures all loggers from a Python-style setup: each logger writes to its own handlers
 * and, while `propagate` holds, to those of its configured ancestors up to the root; levels of
 * `notset` loggers come from the nearest ancestor with a level. `onLog` listeners keep working.
 */
export function configureLoggingSetup(setup: LogSetup): void {
  const appenders: Record<string, Appender> = { listeners: { type: listenerAppender } };
  for (const [name, spec] of Object.entries(setup.handlers)) {
    appenders[`h_${name}`] = handlerAppender(spec);
    appenders[`f_${name}`] =
      spec.level === undefined || spec.level === 'notset'
        ? { type: 'logLevelFilter', appender: `h_${name}`, level: 'all' }
        : { type: 'logLevelFilter', appender: `h_${name}`, level: PY_TO_LOG4JS[spec.level] };
  }
  const byName = new Map(setup.loggers.map((logger) => [logger.qualname, logger]));
  const parentOf = (name: string): LoggerSpec | undefined => {
    for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
      const parent = byName.get(name.slice(0, dot));
      if (parent !== undefined) return parent;
    }
    return name === '' ? undefined : byName.get('');
  };
  const effective = (logger: LoggerSpec): { level: string; handlers: string[] } => {
    const parent = parentOf(logger.qualname);
    const inherited = parent === undefined ? { level: 'warn', handlers: [] } : effective(parent);
    return {
      level:
        logger.level === 'notset' && logger.qualname !== '' ? inherited.level : PY_TO_LOG4JS[logger.level],
      handlers: [...logger.handlers, ...(logger.propagate ? inherited.handlers : [])],
    };
  };
  const categories: Record<string, { appenders: string[]; level: string; inherit: boolean }> = {};
  // Python's root logger defaults to WARNING with no handlers
  const root = byName.get('') ?? { qualname: '', level: 'warning', handlers: [], propagate: false };
  for (const logger of [root, ...setup.loggers.filter((l) => l.qualname !== '')]) {
    const { level, handlers } = effective(logger);
    const names = [...new Set(handlers)].filter((h) => h in setup.handlers).map((h) => `f_${h}`);
    categories[logger.qualname === '' ? 'default' : logger.qualname] = {
      appenders: [...names, 'listeners'],
      level,
      inherit: false,
    };
  }
  configureLog4js({ appenders, categories });
}
