/**
 * `loadSeedConfig`: seed.yaml through YAML → schema → references (against the loaded
 * mapproxy.yaml) into a frozen `SeedConfig`. No `base:` includes, like MapProxy.
 */
import { resolve } from 'node:path';
import {
  asWarnings,
  ConfigError,
  ConfigErrors,
  type ConfigPath,
  type ConfigWarning,
  type SourcePosition,
} from './errors.js';
import { expandEnv } from './env.js';
import { deepFreeze } from './freeze.js';
import { locators, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
import type { MapNode } from './node.js';
import { toPlain } from './node.js';
import { normalizeCoverage, normalizeTimeSpec } from './normalize.js';
import { checkSeedReferences, commonGrids } from './seed-references.js';
import { seedSpec } from './seed-spec.js';
import type { SeedConfig } from './types.js';
import { validateTree } from './validate.js';
import { readYamlFile } from './yaml-file.js';

/** A loaded seed.yaml. */
export interface LoadedSeedConfig {
  readonly config: SeedConfig;
  /** The absolute seed file. */
  readonly file: string;
  readonly warnings: readonly ConfigWarning[];
  locate(path: ConfigPath): SourcePosition | undefined;
  locateNearest(path: ConfigPath): SourcePosition;
}

/**
 * Loads `file` (seed.yaml) and checks it against `loaded`. Relative paths (coverage files,
 * `mtime`) resolve against the main mapproxy.yaml's directory, as in MapProxy.
 * Throws `ConfigErrors` with every problem of the first failing stage.
 */
export async function loadSeedConfig(
  file: string,
  loaded: LoadedConfig,
  options: LoadConfigOptions = {},
): Promise<LoadedSeedConfig> {
  const seedFile = resolve(file);
  const warnings: ConfigWarning[] = [];

  // 1. YAML syntax and `$VAR` expansion.
  const parsed = await readYamlFile(seedFile);
  warnings.push(...parsed.warnings);
  const root = expandEnv(parsed.root, options.env ?? process.env, warnings, new Set()) as MapNode;
  const { locate, locateNearest } = locators(root);
  const views = root.entries.get('views');
  if (views !== undefined) {
    // MapProxy 7 rejects the pre-1.0 `views` format; so do we (see the report on legacy seeds).
    throw new ConfigErrors(
      [
        new ConfigError(
          'CONFIG_SEED_LEGACY',
          views.keyPos,
          ['views'],
          'old seed.yaml format with `views` is no longer supported; use `seeds` with `coverages`',
        ),
      ],
      warnings,
    );
  }

  // 2. schema.
  const schema = validateTree(root, seedSpec);
  warnings.push(...schema.warnings);
  if (schema.errors.length > 0) throw new ConfigErrors(schema.errors, warnings);

  // 3. references against the proxy config.
  const plain = toPlain(root) as Record<string, unknown>;
  const errors = checkSeedReferences(plain, loaded.config, locateNearest);
  if (options.gridsOnly === true) warnings.push(...asWarnings(errors));
  else if (errors.length > 0) throw new ConfigErrors(errors, warnings);

  warnings.push(...asWarnings(seedClipKeys(plain.coverages, ['coverages'], locateNearest)));

  // 4. defaults and absolute paths.
  const config = normalizeSeed(plain, loaded);
  return { config: deepFreeze(config), file: seedFile, warnings, locate, locateNearest };
}

/**
 * `clip` of a seed.yaml coverage (or a part of one): it makes a source's pixels outside its
 * coverage transparent and does nothing to seeding (coverages.rst: "only active for source
 * coverages and not for seeding coverages"); MapProxy accepts it there in silence.
 */
function seedClipKeys(
  section: unknown,
  path: ConfigPath,
  locateNearest: (path: ConfigPath) => SourcePosition,
): ConfigError[] {
  const found: ConfigError[] = [];
  const visit = (coverage: unknown, at: ConfigPath): void => {
    const entry = rec(coverage);
    if (entry.clip !== undefined) {
      const clip = [...at, 'clip'];
      const why =
        'is not used: clip acts on source coverages in mapproxy.yaml, never on seeding, in MapProxy too';
      found.push(new ConfigError('CONFIG_INVALID_VALUE', locateNearest(clip), clip, why));
    }
    for (const kind of ['union', 'difference', 'intersection']) {
      const parts = entry[kind];
      if (Array.isArray(parts))
        parts.forEach((part, index) => {
          visit(part, [...at, kind, index]);
        });
    }
  };
  for (const [name, coverage] of Object.entries(rec(section))) visit(coverage, [...path, name]);
  return found;
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function normalizeSeed(plain: Record<string, unknown>, loaded: LoadedConfig): SeedConfig {
  const dir = loaded.configDir;
  const coverages: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(rec(plain.coverages))) coverages[name] = normalizeCoverage(c, dir);
  const tasks = (section: unknown, timeKey: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(rec(section))) {
      const task = { ...rec(value) };
      const caches = Array.isArray(task.caches) ? (task.caches as string[]) : [];
      task.grids ??= [...(commonGrids(loaded.config, caches) ?? [])];
      if (task[timeKey] !== undefined) task[timeKey] = normalizeTimeSpec(task[timeKey], dir);
      out[name] = task;
    }
    return out;
  };
  return {
    seeds: tasks(plain.seeds, 'refresh_before'),
    cleanups: tasks(plain.cleanups, 'remove_before'),
    coverages,
  } as unknown as SeedConfig;
}
