/**
 * The `grids.<name>` dictionaries as MapProxy's Python sees them: ints stay ints and floats stay
 * floats (YAML `6` is `6`, `6.0` is `6.0`), which JSON-like numbers lose. Read from the YAML source.
 */
import { readFile } from 'node:fs/promises';
import type { ConfigPath, LoadedConfig, SourcePosition } from '../config/index.js';
import { DEFAULT_GRIDS } from '../grid/index.js';
import { PyInt, type PyValue } from '../util/index.js';

/** One grid's configuration dictionary, keys as written. */
export type PyConf = Readonly<Record<string, PyValue>>;

// A plain YAML number at the start of a scalar; PyYAML (YAML 1.1) needs a `.` for a float
const NUMBER_TOKEN = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?(?=\s|,|\]|\}|$)/;

/**
 * MapProxy's grid configurations in its dict order: the `GLOBAL_*` defaults first, then the user
 * grids as written (a user grid named like a default takes the default's place).
 */
export async function readGridConfs(loaded: LoadedConfig): Promise<Map<string, PyConf>> {
  const sources = new Map<string, readonly string[]>();
  for (const file of loaded.files) sources.set(file, (await readFile(file, 'utf8')).split(/\r?\n/));
  const kindOf = (path: ConfigPath): 'int' | 'float' | undefined => {
    const at = loaded.locate(path);
    return at === undefined ? undefined : numberKindAt(sources, at);
  };

  const confs = new Map<string, PyConf>();
  for (const [name, grid] of Object.entries(DEFAULT_GRIDS)) confs.set(name, { ...grid });
  for (const [name, grid] of Object.entries(loaded.config.grids)) {
    const conf: Record<string, PyValue> = {};
    for (const [key, value] of Object.entries(grid)) {
      conf[key] = toPyValue(value, ['grids', name, key], kindOf);
    }
    confs.set(name, conf);
  }
  return confs;
}

function toPyValue(
  value: unknown,
  path: ConfigPath,
  kindOf: (path: ConfigPath) => 'int' | 'float' | undefined,
): PyValue {
  if (typeof value === 'number') {
    // without a source token (e.g. from $VAR) integral numbers count as ints, like YAML `6`
    const kind = kindOf(path) ?? (Number.isInteger(value) ? 'int' : 'float');
    return kind === 'int' ? new PyInt(value) : value;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown, i) => toPyValue(item, [...path, i], kindOf));
  if (typeof value === 'object') {
    const dict: Record<string, PyValue> = {};
    for (const [key, item] of Object.entries(value)) dict[key] = toPyValue(item, [...path, key], kindOf);
    return dict;
  }
  return null;
}

function numberKindAt(
  sources: ReadonlyMap<string, readonly string[]>,
  at: SourcePosition,
): 'int' | 'float' | undefined {
  const line = sources.get(at.file)?.[at.line - 1];
  const token = line === undefined ? undefined : NUMBER_TOKEN.exec(line.slice(at.column - 1))?.[0];
  if (token === undefined) return undefined;
  return /[.eE]/.test(token) ? 'float' : 'int';
}
