/**
 * The positioned value tree every config stage works on: YAML values that remember the file,
 * line and column they came from, so positions survive `base:` merging.
 */
import type { ConfigPath, SourcePosition } from './errors.js';

export type ScalarValue = string | number | boolean | null;

export interface ScalarNode {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  /** True for a YAML float such as `1.0`, which is a number but not an int (MapProxy's `int()`). */
  readonly isFloat: boolean;
  readonly pos: SourcePosition;
}

export interface SeqNode {
  readonly kind: 'seq';
  readonly items: readonly ConfigNode[];
  readonly pos: SourcePosition;
}

export interface MapEntry {
  readonly keyPos: SourcePosition;
  readonly value: ConfigNode;
}

export interface MapNode {
  readonly kind: 'map';
  /** Insertion-ordered, like a Python dict. */
  readonly entries: ReadonlyMap<string, MapEntry>;
  readonly pos: SourcePosition;
}

export type ConfigNode = ScalarNode | SeqNode | MapNode;

export function scalarNode(value: ScalarValue, pos: SourcePosition, isFloat = false): ScalarNode {
  return { kind: 'scalar', value, isFloat, pos };
}

export function isNull(node: ConfigNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.value === null);
}

/** The node at `path`, or undefined. */
export function nodeAt(root: ConfigNode, path: ConfigPath): ConfigNode | undefined {
  let node: ConfigNode | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (node.kind === 'map' && typeof segment === 'string') node = node.entries.get(segment)?.value;
    else if (node.kind === 'seq' && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return node;
}

/**
 * Position of `path`: the value's own position, or for a null value the position of its key.
 * Falls back to the closest existing parent so that a missing key points at its mapping.
 */
export function positionOf(root: ConfigNode, path: ConfigPath): SourcePosition {
  let node: ConfigNode = root;
  let pos = root.pos;
  for (const segment of path) {
    let next: ConfigNode | undefined;
    if (node.kind === 'map' && typeof segment === 'string') {
      const entry = node.entries.get(segment);
      if (entry === undefined) return pos;
      next = entry.value;
      pos = isNull(next) ? entry.keyPos : next.pos;
    } else if (node.kind === 'seq' && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) return pos;
      pos = next.pos;
    } else {
      return pos;
    }
    node = next;
  }
  return pos;
}

/** Position of the key of `path` (for unknown-key warnings); the value position for list items. */
export function keyPositionOf(root: ConfigNode, path: ConfigPath): SourcePosition {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent?.kind === 'map' && typeof last === 'string') {
    const entry = parent.entries.get(last);
    if (entry) return entry.keyPos;
  }
  return positionOf(root, path);
}

/** Plain JS value of a node (mappings become objects with the same key order). */
export function toPlain(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) out[key] = toPlain(entry.value);
      return out;
    }
  }
}
