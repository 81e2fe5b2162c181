/**
 * Logging facade with MapProxy's dotted logger names (`mapproxy.config`, `mapproxy.source.request`),
 * backed by log4js. Core code logs only through `getLogger`; `configureLogging` decides where lines go.
 */
import log4js from 'log4js';

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

const LOG4JS_LEVELS = { debug: 'debug', info: 'info', warning: 'warn', error: 'error', off: 'off' } as const;
const PY_LEVEL_NAMES: Readonly<Record<string, LogLevel>> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warning',
  ERROR: 'error',
};

const listeners = new Set<(record: LogRecord) => void>();

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Python's default `asctime` in local time: `2026-11-24 02:01:43,448`. */
function asctime(time: Date): string {
  const date = `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  return `${date} ${clock},${pad(time.getMilliseconds(), 3)}`;
}

/**
 * A record in MapProxy's dev-server format `[%(asctime)s] %(name)s - %(levelname)s - %(message)s`,
 * e.g. `[2026-11-24 02:01:43,448] mapproxy.config - WARNING - ...` (Python level names).
 */
export function formatLogRecord(record: LogRecord): string {
  return `[${asctime(record.time)}] ${record.name} - ${record.level.toUpperCase()} - ${record.message}`;
}

function toRecord(event: log4js.LoggingEvent): LogRecord {
  return {
    name: event.categoryName,
    level: PY_LEVEL_NAMES[event.level.levelStr] ?? 'error',
    message: event.data.map(String).join(' '),
    time: event.startTime,
  };
}

const stdoutAppender: log4js.AppenderModule = {
  configure: () => (event) => {
    process.stdout.write(`${formatLogRecord(toRecord(event))}\n`);
  },
};

const listenerAppender: log4js.AppenderModule = {
  configure: () => (event) => {
    if (listeners.size === 0) return;
    const record = toRecord(event);
    for (const listener of listeners) listener(record);
  },
};

/**
 * (Re)configures all loggers; loggers obtained earlier follow the new settings. Without a call the
 * defaults apply: INFO and above to stdout in MapProxy's dev-server format.
 */
export function configureLogging(config: LoggingConfig = {}): void {
  const appenders = config.stdout === false ? ['listeners'] : ['stdout', 'listeners'];
  const categories: Record<string, { appenders: string[]; level: string; inherit?: boolean }> = {
    default: { appenders, level: LOG4JS_LEVELS[config.level ?? 'info'] },
  };
  for (const [name, level] of Object.entries(config.levels ?? {})) {
    // own appenders without inheriting the parent's, so each line is written once
    categories[name] = { appenders, level: LOG4JS_LEVELS[level], inherit: false };
  }
  log4js.configure({
    appenders: { stdout: { type: stdoutAppender }, listeners: { type: listenerAppender } },
    categories,
  });
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
  if (!log4js.isConfigured()) configureLogging();
  const logger = log4js.getLogger(name);
  return {
    name,
    debug: (message) => {
      logger.debug(message);
    },
    info: (message) => {
      logger.info(message);
    },
    warn: (message) => {
      logger.warn(message);
    },
    error: (message) => {
      logger.error(message);
    },
    isEnabled: (level) => logger.isLevelEnabled(LOG4JS_LEVELS[level]),
  };
}
