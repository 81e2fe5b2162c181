/**
 * Formats of stored tiles: the file extension of a cache format (MapProxy `ImageFormat.ext`) and
 * the mime type of stored bytes, sniffed for `mixed` caches whose tiles are PNG or JPEG.
 */

/** `image/png` → `png`, `image/png; mode=8bit` → `png`, `mixed` → `mixed` (file caches store `.mixed`). */
export function formatExtension(format: string): string {
  let ext = format;
  const slash = ext.indexOf('/');
  if (slash >= 0) ext = ext.slice(slash + 1);
  const semicolon = ext.indexOf(';');
  if (semicolon >= 0) ext = ext.slice(0, semicolon);
  return ext.trim();
}

/** `png` → `image/png`; full mime types and `mixed` pass through. */
export function formatMimeType(format: string): string {
  return format.includes('/') || format === 'mixed' ? format : `image/${format}`;
}

const SIGNATURES: readonly (readonly [string, readonly number[]])[] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['image/tiff', [0x49, 0x49, 0x2a, 0x00]],
  ['image/tiff', [0x4d, 0x4d, 0x00, 0x2a]],
];

/** The mime type of encoded bytes by magic number (PNG, JPEG, GIF, TIFF, WebP), or null. */
export function sniffFormat(data: Buffer): string | null {
  for (const [mime, magic] of SIGNATURES) {
    if (magic.every((byte, i) => data[i] === byte)) return mime;
  }
  if (
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return null;
}

/**
 * The mime type to serve stored bytes with: the cache format, except for `mixed` caches where each
 * tile is PNG or JPEG (falls back to `image/png`, what `mixed` layers advertise).
 */
export function storedTileFormat(data: Buffer, cacheFormat: string): string {
  if (cacheFormat !== 'mixed') return formatMimeType(cacheFormat);
  return sniffFormat(data) ?? 'image/png';
}
