/**
 * Loads a config file with its `base:` includes (string or list, relative to the including
 * file, recursive), expanding `$VAR`s per file and merging like MapProxy's `load_configuration_file`.
 */
import { dirname, resolve } from 'node:path';
import {
  ConfigError,
  ConfigErrors,
  type ConfigPath,
  type ConfigWarning,
  type SourcePosition,
} from './errors.js';
import { expandEnv, type Env } from './env.js';
import { mergeMaps } from './merge.js';
import type { ConfigNode, MapEntry, MapNode } from './node.js';
import { readYamlFile } from './yaml-file.js';

export interface IncludeResult {
  readonly root: MapNode;
  /** Absolute paths: the main file first, then every base file in load order. */
  readonly files: readonly string[];
  readonly warnings: readonly ConfigWarning[];
}

interface LoadState {
  readonly env: Env;
  /** The top-level keys of a configuration: a file with none of them is not one. */
  readonly topLevelKeys: ReadonlySet<string>;
  readonly files: string[];
  readonly warnings: ConfigWarning[];
  readonly errors: ConfigError[];
  readonly envSeen: Set<string>;
}

/**
 * Reads `file` and everything it includes. Throws `ConfigErrors` holding every syntax,
 * missing-base, include-cycle and not-a-configuration (`CONFIG_NOT_MAPPROXY`: a mapping without
 * any of `topLevelKeys`) problem of all files.
 */
export async function loadWithIncludes(
  file: string,
  env: Env,
  topLevelKeys: ReadonlySet<string>,
): Promise<IncludeResult> {
  const state: LoadState = { env, topLevelKeys, files: [], warnings: [], errors: [], envSeen: new Set() };
  const absolute = resolve(file);
  const root = await loadOne(absolute, state, []);
  if (state.errors.length > 0 || root === undefined) throw new ConfigErrors(state.errors, state.warnings);
  return { root, files: state.files, warnings: state.warnings };
}

/**
 * One file plus its bases; `stack` holds the files currently being included (cycle check),
 * `includedAt` the `base:` entry that names `file`.
 */
async function loadOne(
  file: string,
  state: LoadState,
  stack: readonly string[],
  includedAt?: BaseRef,
): Promise<MapNode | undefined> {
  let current: MapNode;
  try {
    const parsed = await readYamlFile(file);
    // a file that is no configuration (`base: /etc/shadow`) is refused before any of its keys
    // could appear in a warning: its content is none of our business
    if (isSeedConfiguration(parsed.root)) {
      // MapProxy loads a seed.yaml given as mapproxy.yaml (warning about each unknown key) and
      // serves nothing; say what the file is before the unknown-key warnings that follow
      state.warnings.push(seedConfigurationWarning(parsed.root, includedAt));
    } else if (isForeign(parsed.root, state.topLevelKeys)) {
      state.errors.push(notAConfiguration(file, parsed.root, state.topLevelKeys, includedAt));
      return undefined;
    }
    state.warnings.push(...parsed.warnings);
    current = expandEnv(parsed.root, state.env, state.warnings, state.envSeen) as MapNode;
  } catch (err) {
    if (err instanceof ConfigErrors) {
      state.errors.push(...err.errors);
      return undefined;
    }
    throw err;
  }
  if (!state.files.includes(file)) state.files.push(file);
  const baseEntry = current.entries.get('base');
  if (baseEntry === undefined) return current;

  const entries = new Map(current.entries);
  entries.delete('base');
  current = { ...current, entries };
  const bases = baseList(baseEntry, file, state);
  // MapProxy: the earlier file of a `base:` list wins over the later ones.
  let imported: MapNode | undefined;
  for (const base of bases) {
    const target = resolve(dirname(file), base.name);
    if (stack.includes(target) || target === file) {
      state.errors.push(
        new ConfigError(
          'CONFIG_BASE_CYCLE',
          base.at,
          base.path,
          `base file "${base.name}" includes itself (cycle)`,
        ),
      );
      continue;
    }
    const loaded = await loadOne(target, state, [...stack, file], base);
    if (loaded === undefined) {
      replaceNotFound(state, target, base);
      continue;
    }
    imported = imported === undefined ? loaded : mergeMaps(imported, loaded);
  }
  return imported === undefined ? current : mergeMaps(current, imported);
}

interface BaseRef {
  readonly name: string;
  readonly at: SourcePosition;
  readonly path: ConfigPath;
}

function baseList(entry: MapEntry, file: string, state: LoadState): BaseRef[] {
  const value: ConfigNode = entry.value;
  if (value.kind === 'scalar' && typeof value.value === 'string') {
    return [{ name: value.value, at: value.pos, path: ['base'] }];
  }
  if (value.kind === 'seq') {
    const refs: BaseRef[] = [];
    value.items.forEach((item, i) => {
      if (item.kind === 'scalar' && typeof item.value === 'string') {
        refs.push({ name: item.value, at: item.pos, path: ['base', i] });
      } else {
        state.errors.push(
          new ConfigError('CONFIG_TYPE', item.pos, ['base', i], 'expected a file name (string)'),
        );
      }
    });
    return refs;
  }
  state.errors.push(
    new ConfigError(
      'CONFIG_TYPE',
      { ...value.pos, file },
      ['base'],
      'expected a file name or a list of file names',
    ),
  );
  return [];
}

/** A base file that does not exist is reported at the including file's `base:` entry. */
function replaceNotFound(state: LoadState, target: string, base: BaseRef): void {
  const index = state.errors.findIndex((e) => e.code === 'CONFIG_FILE_NOT_FOUND' && e.file === target);
  if (index < 0) return;
  state.errors[index] = new ConfigError(
    'CONFIG_BASE_NOT_FOUND',
    base.at,
    base.path,
    `base file "${base.name}" not found (looked for ${target})`,
  );
}

/**
 * The top-level keys of a seed.yaml (`views` in the old 0.8 format): a file with only these is
 * a seeding configuration, whose keys are fixed words, so naming them in warnings reveals nothing.
 */
const SEED_CONFIGURATION_KEYS: ReadonlySet<string> = new Set(['seeds', 'cleanups', 'coverages', 'views']);

function isSeedConfiguration(root: MapNode): boolean {
  const keys = [...root.entries.keys()];
  return keys.some((key) => key !== 'coverages') && keys.every((key) => SEED_CONFIGURATION_KEYS.has(key));
}

function seedConfigurationWarning(root: MapNode, includedAt: BaseRef | undefined): ConfigWarning {
  const at = includedAt === undefined ? root.pos : includedAt.at;
  const what = includedAt === undefined ? 'this file' : `base file "${includedAt.name}"`;
  return {
    code: 'CONFIG_SEED_FILE',
    ...at,
    path: includedAt?.path ?? [],
    message: `${what} looks like a seed configuration (${[...root.entries.keys()].join(', ')}), not a mapproxy.yaml: it serves nothing; give it to \`mapproxy-util seed -s\``,
  };
}

/** A mapping with keys, none of which a configuration has. */
function isForeign(root: MapNode, topLevelKeys: ReadonlySet<string>): boolean {
  return root.entries.size > 0 && ![...root.entries.keys()].some((key) => topLevelKeys.has(key));
}

/** Reported at the `base:` entry that names the file, or at the start of a main file. */
function notAConfiguration(
  file: string,
  root: MapNode,
  topLevelKeys: ReadonlySet<string>,
  includedAt: BaseRef | undefined,
): ConfigError {
  const expected = `it has none of the keys ${[...topLevelKeys].join(', ')}`;
  if (includedAt === undefined) {
    return new ConfigError('CONFIG_NOT_MAPPROXY', root.pos, [], `not a MapProxy configuration (${expected})`);
  }
  return new ConfigError(
    'CONFIG_NOT_MAPPROXY',
    includedAt.at,
    includedAt.path,
    `base file "${includedAt.name}" is not a MapProxy configuration (${expected}; looked at ${file})`,
  );
}
