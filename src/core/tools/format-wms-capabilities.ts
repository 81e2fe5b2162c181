/**
 * `mapproxy-util wms-capabilities` output: MapProxy's `PrettyPrinter.print_layers`. Apart from the
 * fetching, so that loading the CLI does not load the HTTP client.
 */
import { pyRepr, pyStr, type PyValue } from '../util/index.js';
import type { CapabilitiesLayer, WmsCapabilities } from './wms-capabilities.js';

const PRINT_ORDER = ['name', 'title', 'url', 'srs', 'llbbox'] as const;

/** MapProxy's `PrettyPrinter.print_layers(root=True)`: the root layer's children, 4 spaces per level. */
export function formatWmsCapabilities(caps: WmsCapabilities): string {
  const lines = [
    '# Note: This is not a valid MapProxy configuration!',
    `Capabilities Document Version ${caps.version}`,
    'Root-Layer:',
  ];
  const line = (indent: number, key: string, value: string, markFirst: boolean): void => {
    const marker = markFirst ? '- ' : '';
    lines.push(`${' '.repeat(markFirst ? indent - 2 : indent)}${marker}${key}: ${value}`);
  };
  const printLayers = (layers: readonly CapabilitiesLayer[], indent: number): void => {
    for (const layer of layers) {
      const values: Record<(typeof PRINT_ORDER)[number], PyValue> = {
        name: layer.name ?? '',
        title: layer.title ?? '',
        url: layer.url ?? '',
        srs: [...layer.srs],
        llbbox: layer.llbbox === null ? [] : [...layer.llbbox],
      };
      let marked = false;
      for (const key of PRINT_ORDER) {
        const value = values[key];
        if (value === '' || (Array.isArray(value) && value.length === 0)) continue;
        line(indent, key, pyStr(value), !marked);
        marked = true;
      }
      // the remaining keys in MapProxy's dict order
      line(indent, 'queryable', pyRepr(layer.queryable), false);
      line(indent, 'opaque', pyRepr(layer.opaque), false);
      line(indent, 'abstract', layer.abstract ?? '', false);
      const hint =
        layer.resHint === null
          ? ''
          : `(${layer.resHint.map((v) => (v === null ? 'None' : pyRepr(v))).join(', ')})`;
      line(indent, 'res_hint', hint, false);
      const boxes = layer.bboxSrs.map(
        (b) =>
          `${pyRepr(b.srs)}: ${b.flipped ? `(${b.bbox.map((v) => pyRepr(v)).join(', ')})` : pyRepr([...b.bbox])}`,
      );
      line(indent, 'bbox_srs', `{${boxes.join(', ')}}`, false);
      line(indent, 'legend', layer.legendUrl === null ? '' : pyRepr({ url: layer.legendUrl }), false);
      if (layer.layers.length > 0) {
        line(indent, 'layers', '', false);
        printLayers(layer.layers, indent + 4);
      }
    }
  };
  printLayers(caps.root.layers, 4);
  return `${lines.join('\n')}\n`;
}
