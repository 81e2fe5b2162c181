/**
 * Schema stage: checks a positioned tree against a `SpecDocument` like MapProxy's dictspec
 * validator. Wrong types and missing required keys are errors; unknown keys are warnings.
 */
import { didYouMean } from './did-you-mean.js';
import { ConfigError, type ConfigPath, type ConfigWarning } from './errors.js';
import type { ConfigNode, MapEntry, MapNode } from './node.js';
import type { DictSpec, Spec, SpecDocument } from './spec-dsl.js';

export interface ValidationResult {
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigWarning[];
}

/** Validates `root` against `spec`, collecting every problem. */
export function validateTree(root: MapNode, spec: SpecDocument): ValidationResult {
  const errors: ConfigError[] = [];
  const warnings: ConfigWarning[] = [];

  function resolve(s: Spec): Spec {
    let current = s;
    while (current.kind === 'ref') {
      const target = spec.defs[current.name];
      if (target === undefined) throw new Error(`spec has no definition "${current.name}"`);
      current = target;
    }
    return current;
  }

  function check(s: Spec, node: ConfigNode, path: ConfigPath): void {
    const resolved = resolve(s);
    switch (resolved.kind) {
      case 'anything':
      case 'ref':
        return;
      case 'typed':
        checkTyped(resolved.typeKey, resolved.variants, node, path);
        return;
      case 'oneOf': {
        const match = resolved.options.find((option) => matches(resolve(option), node));
        if (match === undefined) typeError(node, path, describeOneOf(resolved.options.map(resolve)));
        else check(match, node, path);
        return;
      }
      case 'dict':
        if (!matches(resolved, node)) typeError(node, path, describe(resolved));
        else checkDict(resolved, node, path);
        return;
      case 'list':
        if (node.kind !== 'seq') typeError(node, path, describe(resolved));
        else
          node.items.forEach((item, i) => {
            check(resolved.item, item, [...path, i]);
          });
        return;
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
      case 'enum':
      case 'pattern':
        if (!matches(resolved, node)) typeError(node, path, describe(resolved));
        return;
    }
  }

  function checkDict(s: DictSpec, node: ConfigNode, path: ConfigPath): void {
    // dictspec treats a null value as an empty mapping (`services: {demo: }` enables demo).
    const entries: ReadonlyMap<string, MapEntry> =
      node.kind === 'map' ? node.entries : new Map<string, MapEntry>();
    for (const key of s.required) {
      if (!entries.has(key)) {
        errors.push(new ConfigError('CONFIG_MISSING_KEY', node.pos, path, `missing required key '${key}'`));
      }
    }
    for (const [key, entry] of entries) {
      const keySpec = s.keys[key] ?? s.anyKey;
      if (keySpec === undefined) {
        warnings.push({
          code: 'CONFIG_UNKNOWN_KEY',
          ...entry.keyPos,
          path: [...path, key],
          message: `unknown key '${key}'${didYouMean(key, Object.keys(s.keys))}`,
        });
        continue;
      }
      check(keySpec, entry.value, [...path, key]);
    }
  }

  function checkTyped(
    typeKey: string,
    variants: Readonly<Record<string, DictSpec>>,
    node: ConfigNode,
    path: ConfigPath,
  ): void {
    if (node.kind !== 'map' && !(node.kind === 'scalar' && node.value === null)) {
      typeError(node, path, 'a mapping');
      return;
    }
    const typeNode = node.kind === 'map' ? node.entries.get(typeKey)?.value : undefined;
    if (typeNode === undefined) {
      errors.push(new ConfigError('CONFIG_MISSING_KEY', node.pos, path, `missing required key '${typeKey}'`));
      return;
    }
    const typeName = typeNode.kind === 'scalar' ? String(typeNode.value) : '';
    const variant = variants[typeName];
    if (variant === undefined) {
      const known = Object.keys(variants);
      errors.push(
        new ConfigError(
          'CONFIG_UNKNOWN_TYPE',
          typeNode.pos,
          [...path, typeKey],
          `unknown ${typeKey} "${typeName}"${didYouMean(typeName, known)} (known: ${known.join(', ')})`,
        ),
      );
      return;
    }
    checkDict(variant, node, path);
  }

  function typeError(node: ConfigNode, path: ConfigPath, expected: string): void {
    errors.push(
      new ConfigError('CONFIG_TYPE', node.pos, path, `expected ${expected}, got ${describeNode(node)}`),
    );
  }

  checkDict(spec.root, root, []);
  return { errors, warnings };
}

function matches(s: Spec, node: ConfigNode): boolean {
  const value = node.kind === 'scalar' ? node.value : undefined;
  switch (s.kind) {
    case 'anything':
    case 'ref':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && node.kind === 'scalar' && !node.isFloat;
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return (typeof value === 'string' || typeof value === 'number') && s.values.includes(value);
    case 'pattern':
      return typeof value === 'string' && new RegExp(`^(?:${s.pattern})$`).test(value);
    case 'list':
      return node.kind === 'seq';
    case 'dict':
    case 'typed':
      return node.kind === 'map' || (node.kind === 'scalar' && node.value === null);
    case 'oneOf':
      return s.options.some((option) => matches(option, node));
  }
}

function describe(s: Spec): string {
  switch (s.kind) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'anything':
      return 'any value';
    case 'enum':
      return s.values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(' or ');
    case 'pattern':
      return s.description;
    case 'list': {
      const item = describe(s.item);
      return item === 'any value' ? 'a list' : `a list of ${plural(item)}`;
    }
    case 'dict':
    case 'typed':
    case 'ref':
      return 'a mapping';
    case 'oneOf':
      return describeOneOf(s.options);
  }
}

function describeOneOf(options: readonly Spec[]): string {
  return options.map(describe).join(' or ');
}

function plural(description: string): string {
  if (description === 'true or false') return 'booleans';
  if (description.startsWith('a list')) return 'lists';
  return `${description.replace(/^an? /, '')}s`;
}

function describeNode(node: ConfigNode): string {
  switch (node.kind) {
    case 'seq':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'scalar': {
      const value = node.value;
      if (value === null) return 'nothing (null)';
      if (typeof value === 'string') return `"${value}"`;
      return String(value);
    }
  }
}
