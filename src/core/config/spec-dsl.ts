/**
 * A small declarative language for config specs, modelled on MapProxy's dictspec
 * (`str()`, `number()`, `one_of`, `required`, `type_spec`, `recursive`). Data only; see validate.ts.
 */

export interface ScalarSpec {
  readonly kind: 'string' | 'number' | 'integer' | 'boolean' | 'anything';
}
export interface ListSpec {
  readonly kind: 'list';
  readonly item: Spec;
}
export interface DictSpec {
  readonly kind: 'dict';
  readonly keys: Readonly<Record<string, Spec>>;
  readonly required: readonly string[];
  /** Spec for every key when the mapping accepts any key (`{anything(): spec}`). */
  readonly anyKey?: Spec;
}
export interface OneOfSpec {
  readonly kind: 'oneOf';
  readonly options: readonly Spec[];
}
/** A mapping whose allowed keys depend on the value of `typeKey` (`type_spec('type', {...})`). */
export interface TypedSpec {
  readonly kind: 'typed';
  readonly typeKey: string;
  readonly variants: Readonly<Record<string, DictSpec>>;
}
/** A reference to a named definition, for recursive structures (coverages, layer trees). */
export interface RefSpec {
  readonly kind: 'ref';
  readonly name: string;
}
/** One of a fixed set of scalar values (`directory_layout: tc`, compact `version: 1`). */
export interface EnumSpec {
  readonly kind: 'enum';
  readonly values: readonly (string | number)[];
}
/** A string matching `pattern` (a RegExp source); `description` names the rule in messages. */
export interface PatternSpec {
  readonly kind: 'pattern';
  readonly pattern: string;
  readonly description: string;
}
export type Spec =
  ScalarSpec | ListSpec | DictSpec | OneOfSpec | TypedSpec | RefSpec | EnumSpec | PatternSpec;

/** A complete spec: the root mapping and its named definitions. */
export interface SpecDocument {
  readonly root: DictSpec;
  readonly defs: Readonly<Record<string, Spec>>;
}

interface RequiredMarker {
  readonly kind: 'required';
  readonly spec: Spec;
}
type KeySpec = Spec | RequiredMarker;

export const str: ScalarSpec = { kind: 'string' };
export const num: ScalarSpec = { kind: 'number' };
export const int: ScalarSpec = { kind: 'integer' };
export const bool: ScalarSpec = { kind: 'boolean' };
export const anything: ScalarSpec = { kind: 'anything' };

/** A scalar that must equal one of `values` (numbers compare by value: `1.0` is `1`). */
export function enumOf(...values: (string | number)[]): EnumSpec {
  return { kind: 'enum', values };
}

/** A string matching `pattern` in full; `description` says what is allowed, for messages. */
export function matching(pattern: RegExp, description: string): PatternSpec {
  return { kind: 'pattern', pattern: pattern.source, description };
}

export function list(item: Spec): ListSpec {
  return { kind: 'list', item };
}

/** Marks a mapping key as required (MapProxy's `required('key')`). */
export function required(spec: Spec): RequiredMarker {
  return { kind: 'required', spec };
}

/** A mapping with known keys; `anyKey` accepts every key with that spec. */
export function dict(keys: Readonly<Record<string, KeySpec>>, anyKey?: Spec): DictSpec {
  const plain: Record<string, Spec> = {};
  const req: string[] = [];
  for (const [key, spec] of Object.entries(keys)) {
    if (spec.kind === 'required') {
      req.push(key);
      plain[key] = spec.spec;
    } else {
      plain[key] = spec;
    }
  }
  return anyKey === undefined
    ? { kind: 'dict', keys: plain, required: req }
    : { kind: 'dict', keys: plain, required: req, anyKey };
}

/** A mapping with arbitrary keys, all of the same spec (`{anything(): spec}`). */
export function mapOf(value: Spec): DictSpec {
  return { kind: 'dict', keys: {}, required: [], anyKey: value };
}

export function oneOf(...options: Spec[]): OneOfSpec {
  return { kind: 'oneOf', options };
}

/** Each variant automatically accepts the type key itself. */
export function typed(typeKey: string, variants: Readonly<Record<string, DictSpec>>): TypedSpec {
  const withKey: Record<string, DictSpec> = {};
  for (const [name, spec] of Object.entries(variants)) {
    withKey[name] = { ...spec, keys: { [typeKey]: str, ...spec.keys } };
  }
  return { kind: 'typed', typeKey, variants: withKey };
}

export function ref(name: string): RefSpec {
  return { kind: 'ref', name };
}
