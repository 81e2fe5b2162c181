/**
 * Reads one YAML file into a positioned `ConfigNode` tree. The only importer of `yaml`.
 * YAML 1.1 like MapProxy's PyYAML (yes/no booleans, `<<` merge keys); timestamps stay strings.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Pair,
  type ScalarTag,
} from 'yaml';
import { ConfigError, ConfigErrors, type ConfigWarning, type SourcePosition } from './errors.js';
import { scalarNode, type ConfigNode, type MapEntry, type MapNode } from './node.js';

export interface YamlFileResult {
  readonly root: MapNode;
  readonly warnings: readonly ConfigWarning[];
}

const MERGE_KEY = '<<';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const BOOL_TAG = 'tag:yaml.org,2002:bool';
const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';
/**
 * Most values a document may produce through aliases. An alias copies its anchor's value, so
 * nested anchors grow exponentially ("billion laughs"); no configuration needs more than this.
 */
export const MAX_ALIAS_VALUES = 100_000;

/** Thrown inside the converter when aliases exceed `MAX_ALIAS_VALUES`. */
class AliasLimitError extends Error {
  readonly pos: SourcePosition;
  readonly path: readonly (string | number)[];

  constructor(pos: SourcePosition, path: readonly (string | number)[]) {
    super('alias limit');
    this.pos = pos;
    this.path = path;
  }
}

/** PyYAML's booleans: YAML 1.1 without `y`/`n` (which stay strings there). */
const PYYAML_BOOLS: ScalarTag[] = [
  {
    identify: (value) => value === true,
    default: true,
    tag: BOOL_TAG,
    test: /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => true,
  },
  {
    identify: (value) => value === false,
    default: true,
    tag: BOOL_TAG,
    test: /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => false,
  },
];

/**
 * PyYAML's ints (`resolver.py`): a decimal has no leading zero (`09` stays a string) and a
 * sexagesimal one starts at 1 (`0:30` stays a string); `_` separates digits anywhere.
 */
const PYYAML_INT: ScalarTag = {
  identify: (value) => typeof value === 'number' && Number.isInteger(value),
  default: true,
  tag: INT_TAG,
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  // PyYAML construct_yaml_int
  resolve: (source) => {
    const { sign, digits } = splitSign(source);
    let value: number;
    if (digits.startsWith('0b')) value = parseInt(digits.slice(2), 2);
    else if (digits.startsWith('0x')) value = parseInt(digits.slice(2), 16);
    else if (digits.startsWith('0') && digits.length > 1) value = parseInt(digits, 8);
    else if (digits.includes(':')) value = sexagesimal(digits);
    else value = parseInt(digits, 10);
    return value === 0 ? 0 : sign * value;
  },
};

/**
 * PyYAML's floats (`resolver.py`): a dot is required and an exponent needs its sign, so `e5`,
 * `1e5` and `1.5e3` stay strings where YAML 1.2 (and the `yaml` package's 1.1 schema) read
 * numbers; `.5` is a float but `-.5` a string; `.inf`, `.nan` and sexagesimal `1:30.5`.
 */
const PYYAML_FLOAT: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: FLOAT_TAG,
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  // PyYAML construct_yaml_float
  resolve: (source) => {
    const { sign, digits } = splitSign(source.toLowerCase());
    if (digits === '.inf') return sign * Infinity;
    if (digits === '.nan') return NaN;
    return sign * (digits.includes(':') ? sexagesimal(digits) : Number(digits));
  },
};

function splitSign(source: string): { sign: number; digits: string } {
  const digits = source.replaceAll('_', '');
  if (digits.startsWith('-')) return { sign: -1, digits: digits.slice(1) };
  return { sign: 1, digits: digits.startsWith('+') ? digits.slice(1) : digits };
}

function sexagesimal(digits: string): number {
  return digits.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
}

/**
 * Parses `text` (the content of `file`) into a mapping node.
 * Throws `ConfigErrors`: every syntax error (`CONFIG_SYNTAX`), a non-mapping document
 * (`CONFIG_NOT_A_MAPPING`) or aliases that expand beyond `MAX_ALIAS_VALUES` (`CONFIG_ALIAS_LIMIT`).
 */
export function parseYaml(text: string, file: string): YamlFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: false,
    version: '1.1',
    prettyErrors: false,
    customTags: (tags) => [
      ...PYYAML_BOOLS,
      PYYAML_INT,
      PYYAML_FLOAT,
      // PyYAML turns unquoted dates into date objects; MapProxy's spec treats them like strings.
      ...tags.filter(
        (tag) => typeof tag === 'string' || ![TIMESTAMP_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG].includes(tag.tag),
      ),
    ],
  });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // PyYAML's safe loader refuses a tag it has no constructor for (`!env FOO`, `!!python/name:...`);
  // the yaml package only warns and keeps the bare scalar, so `url: !env FOO` served the URL "FOO"
  const unknownTags = doc.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (doc.errors.length > 0 || unknownTags.length > 0) {
    throw new ConfigErrors([
      ...doc.errors.map(
        (err) =>
          new ConfigError(
            'CONFIG_SYNTAX',
            at(err.pos[0]),
            [],
            `YAML syntax error: ${firstLine(err.message)}`,
          ),
      ),
      ...unknownTags.map(
        (warning) =>
          new ConfigError(
            'CONFIG_SYNTAX',
            at(warning.pos[0]),
            [],
            `unknown YAML tag ${text.slice(warning.pos[0], warning.pos[1])}: MapProxy's YAML loader refuses it (environment variables are written \${NAME}, without a tag)`,
          ),
      ),
    ]);
  }
  const warnings: ConfigWarning[] = [];
  const converter = new Converter(doc, at, warnings);
  let root: ConfigNode | null;
  try {
    root = doc.contents === null ? null : converter.convert(doc.contents, at(0), []);
  } catch (err) {
    if (!(err instanceof AliasLimitError)) throw err;
    throw new ConfigErrors([
      new ConfigError(
        'CONFIG_ALIAS_LIMIT',
        err.pos,
        err.path,
        `aliases expand to more than ${String(MAX_ALIAS_VALUES)} values (nested anchors; an alias bomb?)`,
      ),
    ]);
  }
  if (root?.kind !== 'map') {
    const pos = root?.pos ?? at(0);
    throw new ConfigErrors([
      new ConfigError('CONFIG_NOT_A_MAPPING', pos, [], 'configuration not a YAML dictionary'),
    ]);
  }
  return { root, warnings };
}

/**
 * The largest YAML file read, in bytes. Parsing costs about 1.2 s of CPU and 60 MB per MB (the
 * yaml package: about half of `check`'s time; a 47 MB configuration of 100000 layers, caches and
 * sources took `check` 56 s and 2.6 GB, MapProxy 24 s and 0.9 GB): a file this large is more
 * likely the wrong file than a configuration, and a real one can be split with `base:`.
 */
export const MAX_YAML_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Reads and parses `file`; a missing file throws `ConfigErrors` with `CONFIG_FILE_NOT_FOUND`, one
 * larger than `MAX_YAML_FILE_BYTES` with `CONFIG_FILE_TOO_LARGE`.
 */
export async function readYamlFile(file: string): Promise<YamlFileResult> {
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_YAML_FILE_BYTES) {
      throw new ConfigErrors([
        new ConfigError(
          'CONFIG_FILE_TOO_LARGE',
          { file, line: 0, column: 0 },
          [],
          `${megabytes(size)} MB is more than a configuration file may have (${megabytes(MAX_YAML_FILE_BYTES)} MB); is it the right file? Split a larger configuration into files joined with base:`,
        ),
      ]);
    }
    text = decodeYaml(await readFile(file), file);
  } catch (err) {
    if (err instanceof ConfigErrors) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})`;
    throw new ConfigErrors([
      new ConfigError('CONFIG_FILE_NOT_FOUND', { file, line: 0, column: 0 }, [], reason),
    ]);
  }
  return parseYaml(text, file);
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
}

/**
 * The text of a YAML file as PyYAML's reader takes it: UTF-16 by its byte order mark, otherwise
 * UTF-8 (a BOM kept, as the parser skips it). Bytes that are no UTF-8 are a `CONFIG_SYNTAX` error
 * at their line and column, as PyYAML refuses them; they became U+FFFD in titles and URLs.
 */
function decodeYaml(bytes: Buffer, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  // the first line that is not UTF-8, and the characters on it before its first bad byte
  for (let start = 0, line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const lineBytes = bytes.subarray(start, end);
    if (!isUtf8(lineBytes)) {
      const valid = lineBytes.toString('utf8').split('\uFFFD')[0] ?? '';
      const bad = lineBytes[Buffer.byteLength(valid)] ?? 0;
      throw new ConfigErrors([
        new ConfigError(
          'CONFIG_SYNTAX',
          { file, line, column: valid.length + 1 },
          [],
          `not UTF-8: byte 0x${bad.toString(16).padStart(2, '0')}; save the file as UTF-8 (MapProxy reads YAML as UTF-8 or UTF-16 with a BOM)`,
        ),
      ]);
    }
    start = end + 1;
  }
  return bytes.toString('utf8');
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

class Converter {
  private readonly doc: Document;
  private readonly at: (offset: number) => SourcePosition;
  private readonly warnings: ConfigWarning[];
  private readonly resolving = new Set<YamlNode>();
  /** Values produced while expanding aliases, against `MAX_ALIAS_VALUES`. */
  private aliasValues = 0;
  /** The outermost alias being expanded: where an alias bomb is reported. */
  private outerAlias: { pos: SourcePosition; path: readonly (string | number)[] } | null = null;

  constructor(doc: Document, at: (offset: number) => SourcePosition, warnings: ConfigWarning[]) {
    this.doc = doc;
    this.at = at;
    this.warnings = warnings;
  }

  convert(node: unknown, fallback: SourcePosition, path: readonly (string | number)[]): ConfigNode {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined || this.resolving.has(target))
        return scalarNode(null, this.posOf(node, fallback));
      this.outerAlias ??= { pos: this.posOf(node, fallback), path };
      this.resolving.add(target);
      try {
        return this.convert(target, fallback, path);
      } finally {
        this.resolving.delete(target);
        if (this.resolving.size === 0) this.outerAlias = null;
      }
    }
    // every value copied through an alias counts: stop before nested anchors exhaust memory
    if (this.outerAlias !== null && ++this.aliasValues > MAX_ALIAS_VALUES) {
      throw new AliasLimitError(this.outerAlias.pos, this.outerAlias.path);
    }
    const pos = this.posOf(node, fallback);
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'number') {
        const source = node.source ?? String(value);
        return scalarNode(value, pos, /[.eE]|inf|nan/i.test(source) && !/^[-+]?0x/i.test(source));
      }
      if (typeof value === 'bigint') return scalarNode(Number(value), pos);
      if (typeof value === 'string' || typeof value === 'boolean' || value === null)
        return scalarNode(value, pos);
      return scalarNode(node.source ?? '', pos);
    }
    if (isSeq(node)) {
      return { kind: 'seq', items: node.items.map((item, i) => this.convert(item, pos, [...path, i])), pos };
    }
    if (isMap(node)) return this.convertMap(node.items, pos, path);
    return scalarNode(null, pos);
  }

  private convertMap(
    pairs: readonly Pair[],
    pos: SourcePosition,
    path: readonly (string | number)[],
  ): MapNode {
    const entries = new Map<string, MapEntry>();
    const merged: MapNode[] = [];
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key;
      const keyPos = this.posOf(keyNode, pos);
      const rawKey: unknown = isScalar(keyNode) ? keyNode.value : keyNode;
      if (
        typeof rawKey === 'symbol' ||
        (rawKey === MERGE_KEY && isScalar(keyNode) && keyNode.type === 'PLAIN')
      ) {
        // YAML 1.1 merge key: explicit keys win, then earlier merge sources (PyYAML semantics).
        for (const source of this.mergeSources(pair.value, keyPos, path)) merged.push(source);
        continue;
      }
      const key = keyString(rawKey);
      const value = this.convert(pair.value, keyPos, [...path, key]);
      if (entries.has(key)) {
        this.warnings.push({
          code: 'CONFIG_DUPLICATE_KEY',
          ...keyPos,
          path: [...path, key],
          message: `duplicate key "${key}"; the last one wins`,
        });
        entries.delete(key);
      }
      entries.set(key, { keyPos, value });
    }
    if (merged.length === 0) return { kind: 'map', entries, pos };
    const result = new Map<string, MapEntry>();
    for (const source of merged) {
      for (const [key, entry] of source.entries)
        if (!result.has(key) && !entries.has(key)) result.set(key, entry);
    }
    for (const [key, entry] of entries) result.set(key, entry);
    return { kind: 'map', entries: result, pos };
  }

  private mergeSources(
    value: unknown,
    keyPos: SourcePosition,
    path: readonly (string | number)[],
  ): MapNode[] {
    const node = this.convert(value, keyPos, path);
    if (node.kind === 'map') return [node];
    if (node.kind === 'seq') return node.items.filter((item): item is MapNode => item.kind === 'map');
    return [];
  }

  private posOf(node: unknown, fallback: SourcePosition): SourcePosition {
    const range = (node as { range?: readonly number[] } | null)?.range;
    return range?.[0] === undefined ? fallback : this.at(range[0]);
  }
}

function keyString(key: unknown): string {
  if (key === null || key === undefined) return 'null';
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  // Complex keys (mappings as keys) do not occur in MapProxy configs; keep them visible.
  return JSON.stringify(key);
}
