/**
 * Python `logging.config.fileConfig` ini files (MapProxy's `log.ini`) read into a `LogSetup`:
 * ConfigParser syntax and `%(name)s` interpolation with `here` = the ini's directory,
 * loggers with qualname/level/propagate, File/Stream/Rotating handlers, formatters.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LogConfigError } from './errors.js';
import { configureLogging, configureLoggingSetup, type LogHandlerSpec, type LoggerSpec, type LogSetup, type PyLogLevel } from './log.js';

type Sections = Map<string, Map<string, string>>;

/** ConfigParser's syntax: `[section]`, `key = value` or `key: value`, indented continuation lines, `#`/`;` comment lines. */
function parseSections(text: string, file: string): Sections {
  const sections: Sections = new Map([['DEFAULT', new Map<string, string>()]]);
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*([#;]|$)/.test(line)) return;
    if (/^\s/.test(line) && current !== null && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${line.trim()}`);
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header?.[1] !== undefined) {
      const name = header[1];
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      lastKey = null;
      return;
    }
    const option = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (option?.[1] === undefined || current === null) {
      throw new LogConfigError(`${file}:${index + 1}: cannot parse line ${JSON.stringify(line)}`);
    }
    lastKey = option[1].toLowerCase();
    current.set(lastKey, option[2] ?? '');
  });
  return sections;
}

/** ConfigParser's BasicInterpolation: `%(key)s` from the section or DEFAULT, `%%` for a percent sign. */
function interpolate(value: string, section: string, sections: Sections, file: string, depth = 0): string {
  if (depth > 10) throw new LogConfigError(`${file} [${section}]: interpolation too deeply recursive`);
  return value.replace(/%%|%\(([^)]+)\)s/g, (all, key: string | undefined) => {
    if (key === undefined) return '%';
    const name = key.toLowerCase();
    const raw = sections.get(section)?.get(name) ?? sections.get('DEFAULT')?.get(name);
    if (raw === undefined) {
      throw new LogConfigError(`${file} [${section}]: bad value substitution: no option "${key}" for ${all}`);
    }
    return interpolate(raw, section, sections, file, depth + 1);
  });
}

type PyArg = string | number | boolean | null | { readonly stream: 'stdout' | 'stderr' };

/** Evaluates a handler's `args`: a Python tuple of string/number literals and `sys.stdout`/`sys.stderr`. */
export function parsePyArgs(text: string): PyArg[] {
  const body = /^\s*\((.*)\)\s*$/s.exec(text)?.[1];
  if (body === undefined) throw new Error(`args must be a tuple, got ${text}`);
  const token = /\s*(?:([rRuUbB]{0,2})(['"])((?:\\.|(?!\2).)*)\2|(-?\d+(?:\.\d+)?)|(sys\.stdout|sys\.stderr|True|False|None))\s*(,|$)/ys;
  const args: PyArg[] = [];
  while (token.lastIndex < body.length) {
    const m = token.exec(body);
    if (m === null) throw new Error(`cannot read args ${text}`);
    const [, prefix, , str, num, name] = m;
    if (str !== undefined) args.push(/r/i.test(prefix ?? '') ? str : unescape(str));
    else if (num !== undefined) args.push(Number(num));
    else if (name === 'sys.stdout' || name === 'sys.stderr') args.push({ stream: name === 'sys.stdout' ? 'stdout' : 'stderr' });
    else args.push(name === 'True' ? true : name === 'False' ? false : null);
    if (m[6] === '') break;
  }
  return args;
}

function unescape(text: string): string {
  const map: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };
  return text.replace(/\\(.)/g, (all, c: string) => map[c] ?? all);
}

const LEVELS: Readonly<Record<string, PyLogLevel>> = {
  NOTSET: 'notset',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warning',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
  FATAL: 'critical',
};

function keys(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/**
 * Reads a fileConfig ini text into a `LogSetup`. `defaults` fill `%(name)s` (MapProxy passes
 * `here`). Relative file names resolve against `cwd`, as Python opens them.
 * Throws `LogConfigError` for anything fileConfig would reject.
 */
export function parseLogIni(
  text: string,
  options: { file: string; defaults?: Readonly<Record<string, string>>; cwd?: string },
): LogSetup {
  const { file } = options;
  const sections = parseSections(text, file);
  const defaults = sections.get('DEFAULT');
  for (const [key, value] of Object.entries(options.defaults ?? {})) {
    if (defaults?.has(key.toLowerCase()) !== true) defaults?.set(key.toLowerCase(), value.replaceAll('%', '%%'));
  }
  const section = (name: string): Map<string, string> => {
    const found = sections.get(name);
    if (found === undefined) throw new LogConfigError(`${file}: missing section [${name}]`);
    return found;
  };
  const get = (name: string, key: string, raw = false): string | undefined => {
    const value = section(name).get(key) ?? defaults?.get(key);
    return value === undefined || raw ? value : interpolate(value, name, sections, file);
  };
  const level = (name: string, fallback: PyLogLevel | undefined): PyLogLevel | undefined => {
    const text = get(name, 'level');
    if (text === undefined || text.trim() === '') return fallback;
    const found = LEVELS[text.trim().toUpperCase()];
    if (found === undefined) throw new LogConfigError(`${file} [${name}]: unknown level "${text}"`);
    return found;
  };

  const formatters = new Map<string, { format: string; datefmt?: string }>();
  for (const key of keys(get('formatters', 'keys'))) {
    const name = `formatter_${key}`;
    const datefmt = get(name, 'datefmt', true);
    formatters.set(key, { format: get(name, 'format', true) ?? '%(message)s', ...(datefmt ? { datefmt } : {}) });
  }

  const handlers: Record<string, LogHandlerSpec> = {};
  for (const key of keys(get('handlers', 'keys'))) {
    const name = `handler_${key}`;
    const formatterName = get(name, 'formatter')?.trim() ?? '';
    const formatter = formatterName === '' ? { format: '%(message)s' } : formatters.get(formatterName);
    if (formatter === undefined) throw new LogConfigError(`${file} [${name}]: unknown formatter "${formatterName}"`);
    let args: PyArg[];
    try {
      args = parsePyArgs(get(name, 'args') ?? '()');
    } catch (err) {
      throw new LogConfigError(`${file} [${name}]: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const handlerLevel = level(name, undefined);
    handlers[key] = {
      ...handlerSpec(get(name, 'class')?.trim() ?? '', args, options.cwd, `${file} [${name}]`),
      ...formatter,
      ...(handlerLevel === undefined ? {} : { level: handlerLevel }),
    };
  }

  const loggers: LoggerSpec[] = [];
  for (const key of keys(get('loggers', 'keys'))) {
    const name = `logger_${key}`;
    const isRoot = key === 'root';
    const qualname = isRoot ? '' : get(name, 'qualname')?.trim();
    if (!isRoot && (qualname === undefined || qualname === '')) throw new LogConfigError(`${file} [${name}]: missing qualname`);
    const propagate = get(name, 'propagate')?.trim() ?? '1';
    const handlerNames = keys(get(name, 'handlers'));
    for (const h of handlerNames) {
      if (!(h in handlers)) throw new LogConfigError(`${file} [${name}]: unknown handler "${h}"`);
    }
    loggers.push({
      qualname: qualname ?? '',
      level: level(name, isRoot ? 'warning' : 'notset') ?? 'notset',
      handlers: handlerNames,
      propagate: !isRoot && propagate !== '0',
    });
  }
  if (!loggers.some((l) => l.qualname === '')) throw new LogConfigError(`${file}: [loggers] must list root`);
  return { handlers, loggers };
}

function handlerSpec(
  className: string,
  args: readonly PyArg[],
  cwd: string | undefined,
  where: string,
): Pick<LogHandlerSpec, 'kind' | 'filename' | 'mode' | 'stream' | 'maxBytes' | 'backupCount'> {
  const kind = className.replace(/^logging\./, '');
  const text = (i: number): string | undefined => (typeof args[i] === 'string' ? args[i] : undefined);
  const num = (i: number): number | undefined => (typeof args[i] === 'number' ? args[i] : undefined);
  const fileName = (): string => {
    const name = text(0);
    if (name === undefined) throw new LogConfigError(`${where}: ${className} needs a file name in args`);
    return resolve(cwd ?? '.', name);
  };
  switch (kind) {
    case 'FileHandler':
    case 'handlers.WatchedFileHandler':
      return { kind: 'file', filename: fileName(), mode: text(1) === 'w' ? 'w' : 'a' };
    case 'handlers.RotatingFileHandler': {
      const maxBytes = num(2);
      const backupCount = num(3);
      return {
        kind: 'file',
        filename: fileName(),
        mode: text(1) === 'w' ? 'w' : 'a',
        ...(maxBytes === undefined ? {} : { maxBytes }),
        ...(backupCount === undefined ? {} : { backupCount }),
      };
    }
    case 'handlers.TimedRotatingFileHandler':
      return { kind: 'file', filename: fileName(), mode: 'a' };
    case 'StreamHandler': {
      const stream = args[0];
      return { kind: 'stream', stream: typeof stream === 'object' && stream !== null ? stream.stream : 'stderr' };
    }
    case 'NullHandler':
      return { kind: 'null' };
    default:
      throw new LogConfigError(`${where}: unsupported handler class "${className}"`);
  }
}

/**
 * A server's logging as the serving commands' flags set it (`--log-config`, `--debug`): the ini
 * file `logConfig` when given, else the console at INFO, DEBUG with `debug`. Rejects as
 * {@link configureLoggingFromIni} does.
 */
export async function configureServerLogging(options: {
  readonly debug?: boolean | undefined;
  readonly logConfig?: string | undefined;
}): Promise<void> {
  if (options.logConfig === undefined) configureLogging({ level: options.debug === true ? 'debug' : 'info' });
  else await configureLoggingFromIni(options.logConfig);
}

/**
 * Configures logging from a fileConfig ini file, as MapProxy's server script does with
 * `fileConfig(r'%(here)s/log.ini', {'here': ...})`. `here` defaults to the ini's directory.
 * Rejects with `LogConfigError` for a broken file (and leaves logging as it was).
 */
export async function configureLoggingFromIni(
  file: string,
  defaults: Readonly<Record<string, string>> = {},
): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LogConfigError(`cannot read log configuration ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const here = dirname(resolve(file));
  configureLoggingSetup(parseLogIni(text, { file, defaults: { here, ...defaults } }));
}
