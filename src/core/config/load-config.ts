/**
 * `loadConfig`: mapproxy.yaml through the staged pipeline (YAML + includes → schema →
 * references → defaults) into a frozen `ProxyConfig` that still knows where each value came from.
 */
import { dirname, resolve } from 'node:path';
import {
  asWarnings,
  ConfigErrors,
  type ConfigPath,
  type ConfigWarning,
  type SourcePosition,
} from './errors.js';
import type { Env } from './env.js';
import { deepFreeze } from './freeze.js';
import { loadWithIncludes } from './includes.js';
import { mapproxySpec } from './mapproxy-spec.js';
import { keyPositionOf, nodeAt, positionOf, toPlain, type MapNode } from './node.js';
import { normalizeProxyConfig } from './normalize.js';
import { checkReferences } from './references.js';
import type { ProxyConfig } from './types.js';
import { validateTree } from './validate.js';

export interface LoadConfigOptions {
  /** Variables for `$VAR` / `${VAR}` expansion; defaults to `process.env`. */
  readonly env?: Env;
  /**
   * The caller uses only the grids (and, in a seed config, the coverages): reference problems
   * outside `grids` are reported as warnings, not errors. MapProxy's `grids` command works on
   * configurations whose layers name missing sources, because it never builds the layers.
   */
  readonly gridsOnly?: boolean;
  /**
   * Changes the configuration after its schema check and before references and defaults (e.g.
   * `export` adds its destination cache). What it adds is positioned at its closest written parent.
   */
  readonly amend?: (plain: Record<string, unknown>) => void;
}

/** A loaded configuration plus what reloaders and error reporting need. */
export interface LoadedConfig {
  readonly config: ProxyConfig;
  /** Absolute paths of the main file and every `base:` file. */
  readonly files: readonly string[];
  readonly warnings: readonly ConfigWarning[];
  /** Absolute directory of the main config file; relative paths were resolved against it. */
  readonly configDir: string;
  /** The absolute main config file. */
  readonly configFile: string;
  /** Where the value at `path` was written (file, line, column), or undefined if it was not. */
  locate(path: ConfigPath): SourcePosition | undefined;
  /** Like `locate`, but falls back to the closest written parent (never undefined). */
  locateNearest(path: ConfigPath): SourcePosition;
}

/** The keys a mapproxy.yaml may have at its top level (`base` included). */
const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(Object.keys(mapproxySpec.root.keys));

/** Builds a `LoadedConfig`'s locators over a positioned tree. */
export function locators(root: MapNode): Pick<LoadedConfig, 'locate' | 'locateNearest'> {
  return {
    locate: (path) => (nodeAt(root, path) === undefined ? undefined : positionOf(root, path)),
    locateNearest: (path) => positionOf(root, path),
  };
}

/**
 * Loads `file` (mapproxy.yaml) with its `base:` includes. Throws `ConfigErrors` with every
 * problem of the first failing stage: file/YAML syntax/includes, then schema, then references.
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const configFile = resolve(file);
  const configDir = dirname(configFile);
  const env = options.env ?? process.env;

  // 1. YAML syntax, `base:` includes, `$VAR` expansion.
  const included = await loadWithIncludes(configFile, env, TOP_LEVEL_KEYS);
  const warnings: ConfigWarning[] = [...included.warnings];
  const root = included.root;
  const { locate, locateNearest } = locators(root);

  // 2. schema: types and required keys are fatal, unknown keys warn.
  const schema = validateTree(root, mapproxySpec);
  warnings.push(...schema.warnings);
  if (schema.errors.length > 0) throw new ConfigErrors(schema.errors, warnings);

  // 3. references between grids, sources, caches and layers.
  const plain = toPlain(root) as Record<string, unknown>;
  options.amend?.(plain);
  const refs = checkReferences(plain, locateNearest);
  warnings.push(...refs.warnings);
  const fatalRefs =
    options.gridsOnly === true ? refs.errors.filter((e) => e.path[0] === 'grids') : refs.errors;
  warnings.push(...asWarnings(refs.errors.filter((e) => !fatalRefs.includes(e))));
  if (fatalRefs.length > 0) throw new ConfigErrors(fatalRefs, warnings);

  // 4. defaults, normalisation, absolute paths.
  // Warnings about a whole entry (a cache without grids) point at the entry's key.
  const atKey = (path: ConfigPath): SourcePosition => keyPositionOf(root, path);
  const config = normalizeProxyConfig(plain, { configDir, at: atKey, warnings });
  return {
    config: deepFreeze(config),
    files: included.files,
    warnings,
    configDir,
    configFile,
    locate,
    locateNearest,
  };
}

