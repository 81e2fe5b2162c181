/** MapProxy colour values: `'#rrggbb'`, `'#rrggbbaa'`, `[r, g, b]`, `[r, g, b, a]` or `transparent`. */

export type Rgba = readonly [r: number, g: number, b: number, a: number];

/** Parses a colour as MapProxy accepts it in `on_error.response`, `bgcolor`...; null when invalid. */
export function parseColor(value: unknown): Rgba | null {
  if (value === 'transparent') return [255, 255, 255, 0];
  if (typeof value === 'string') {
    const hex = /^#?([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(value.trim());
    if (hex === null) return null;
    const rgb = hex[1] ?? '';
    const channel = (i: number) => parseInt(rgb.slice(i * 2, i * 2 + 2), 16);
    return [channel(0), channel(1), channel(2), hex[2] === undefined ? 255 : parseInt(hex[2], 16)];
  }
  if (Array.isArray(value) && (value.length === 3 || value.length === 4)) {
    const channels = value.map(Number);
    if (!channels.every((c) => Number.isInteger(c) && c >= 0 && c <= 255)) return null;
    return [channels[0] ?? 0, channels[1] ?? 0, channels[2] ?? 0, channels[3] ?? 255];
  }
  return null;
}
