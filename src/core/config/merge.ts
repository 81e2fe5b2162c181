/**
 * MapProxy's `base:` merge rules (config/loader.py `merge_dict` / `merge_layers`, MapProxy 7),
 * applied to positioned trees so every merged value keeps the file and line it came from.
 */
import { isNull, scalarNode, type ConfigNode, type MapEntry, type MapNode, type SeqNode } from './node.js';

/** List keys whose value in the including file replaces the base list instead of extending it. */
export const REPLACED_LIST_KEYS: ReadonlySet<string> = new Set([
  'bbox',
  'tile_size',
  'max_output_pixels',
  'sources',
  'grids',
  'res',
]);

/**
 * Returns `base` with the values of `conf` merged in (`conf` wins), like `merge_dict(conf, base)`:
 * - mappings merge recursively; a null in `conf` keeps the base mapping or list;
 * - lists are concatenated `base + conf`, except the `REPLACED_LIST_KEYS` (replaced) and
 *   `layers` (merged by `name`); an empty list in `conf` turns the value into null;
 * - any other value of `conf` replaces the base value.
 */
export function mergeMaps(conf: MapNode, base: MapNode): MapNode {
  const entries = new Map<string, MapEntry>(base.entries);
  for (const [key, confEntry] of conf.entries) {
    const baseEntry = entries.get(key);
    if (baseEntry === undefined) {
      entries.set(key, confEntry);
      continue;
    }
    const merged = mergeValue(key, confEntry.value, baseEntry.value);
    entries.set(key, merged === baseEntry.value ? baseEntry : { keyPos: confEntry.keyPos, value: merged });
  }
  return { kind: 'map', entries, pos: base.pos };
}

function mergeValue(key: string, conf: ConfigNode, base: ConfigNode): ConfigNode {
  if (base.kind === 'map') {
    if (isNull(conf)) return base;
    // MapProxy would crash on a non-mapping here; replacing lets the schema stage report it.
    return conf.kind === 'map' ? mergeMaps(conf, base) : conf;
  }
  if (base.kind === 'seq') {
    if (isNull(conf)) return base;
    if (REPLACED_LIST_KEYS.has(key)) return conf;
    if (conf.kind !== 'seq') return conf;
    if (key === 'layers') return mergeLayers(conf, base);
    if (conf.items.length === 0) return scalarNode(null, conf.pos); // "delete"
    return { kind: 'seq', items: [...base.items, ...conf.items], pos: conf.pos };
  }
  return conf;
}

function layerName(node: ConfigNode): string | undefined {
  if (node.kind !== 'map') return undefined;
  const name = node.entries.get('name')?.value;
  return name?.kind === 'scalar' && name.value !== null ? String(name.value) : undefined;
}

/** `merge_layers`: base order, same-named conf layers merged in place, new conf layers appended. */
function mergeLayers(conf: SeqNode, base: SeqNode): SeqNode {
  const out: ConfigNode[] = [];
  const remaining: (string | undefined)[] = conf.items.map(layerName);
  for (const baseLayer of base.items) {
    const baseName = layerName(baseLayer);
    const match =
      baseName === undefined
        ? undefined
        : conf.items.find((layer) => layerName(layer) === baseName && remaining.includes(baseName));
    if (match !== undefined && match.kind === 'map' && baseLayer.kind === 'map') {
      out.push(mergeMaps(match, baseLayer));
      remaining.splice(remaining.indexOf(baseName), 1);
    } else {
      out.push(baseLayer);
    }
  }
  for (const layer of conf.items) {
    const name = layerName(layer);
    // Unnamed layers cannot be matched (MapProxy would fail on them); they are appended.
    if (name === undefined || remaining.includes(name)) out.push(layer);
  }
  return { kind: 'seq', items: out, pos: conf.pos };
}
