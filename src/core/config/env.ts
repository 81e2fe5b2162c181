/**
 * `$NAME` / `${NAME}` expansion in every string value of a file, as MapProxy's util/yaml.py
 * `expand_env` does right after parsing. Keys are not expanded; unset names stay as written.
 */
import type { ConfigPath, ConfigWarning } from './errors.js';
import type { ConfigNode, MapEntry } from './node.js';

/** MapProxy's `ENV_PATTERN = r"\$(\w+)|\$\{([^}]+)\}"` (Python's `\w` is Unicode-aware). */
const ENV_PATTERN = /\$([\p{L}\p{N}\p{Mn}_]+)|\$\{([^}]+)\}/gu;

export type Env = Readonly<Record<string, string | undefined>>;

/** Expands `value`; names without a value are reported through `onUnset` and kept verbatim. */
export function expandString(value: string, env: Env, onUnset: (name: string) => void): string {
  return value.replace(ENV_PATTERN, (match, plain: string | undefined, braced: string | undefined) => {
    const name = plain ?? braced ?? '';
    const replacement = env[name];
    if (replacement === undefined) {
      onUnset(name);
      return match;
    }
    return replacement;
  });
}

/**
 * Returns `node` with every string value expanded. Adds one `CONFIG_ENV_UNSET` warning per
 * name to `warnings` unless `seen` already holds the name (shared across files).
 */
export function expandEnv(
  node: ConfigNode,
  env: Env,
  warnings: ConfigWarning[],
  seen: Set<string>,
  path: ConfigPath = [],
): ConfigNode {
  switch (node.kind) {
    case 'scalar': {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
      const value = expandString(node.value, env, (name) => {
        if (seen.has(name)) return;
        seen.add(name);
        warnings.push({
          code: 'CONFIG_ENV_UNSET',
          ...node.pos,
          path,
          message: `environment variable "${name}" is not set; "${node.value as string}" is kept as written`,
        });
      });
      return value === node.value ? node : { ...node, value };
    }
    case 'seq':
      return {
        ...node,
        items: node.items.map((item, i) => expandEnv(item, env, warnings, seen, [...path, i])),
      };
    case 'map': {
      const entries = new Map<string, MapEntry>();
      for (const [key, entry] of node.entries) {
        entries.set(key, { ...entry, value: expandEnv(entry.value, env, warnings, seen, [...path, key]) });
      }
      return { ...node, entries };
    }
  }
}
