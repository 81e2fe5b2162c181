/**
 * Image format names: magic-byte sniffing and MapProxy's format normalisation (`ImageFormat.ext`
 * plus `filter_format`), so `image/png; mode=8bit`, `png8` and `image/png` all mean png.
 */

/** The encodings this module reads and writes. */
export type FormatName = 'png' | 'jpeg' | 'gif' | 'tiff' | 'webp';

const MIME: Readonly<Record<FormatName, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  tiff: 'image/tiff',
  webp: 'image/webp',
};

/** The canonical mime type of `name`. */
export function mimeType(name: FormatName): string {
  return MIME[name];
}

/** The encoding of `data` from its first bytes (MapProxy `peek_image_format`, plus webp), or null. */
export function sniffFormat(data: Buffer): FormatName | null {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) {
    return 'png';
  }
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  const head = data.subarray(0, 12).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'gif';
  if (head.startsWith('MM\x00\x2a') || head.startsWith('II\x2a\x00')) return 'tiff';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp';
  return null;
}

/**
 * The encoding a format string names, or `'mixed'`, or null when unknown. Accepts mime types with
 * parameters (`image/png; mode=8bit`), bare extensions (`png`, `jpg`), `png8`/`png24` and
 * `GeoTIFF`, case-insensitively, as MapProxy's `ImageFormat.ext` + `filter_format` do.
 */
export function formatName(format: string): FormatName | 'mixed' | null {
  let ext = format.trim().toLowerCase();
  const slash = ext.indexOf('/');
  if (slash >= 0) ext = ext.slice(slash + 1);
  const semicolon = ext.indexOf(';');
  if (semicolon >= 0) ext = ext.slice(0, semicolon);
  ext = ext.trim();
  if (ext.startsWith('png')) return 'png';
  switch (ext) {
    case 'jpeg':
    case 'jpg':
      return 'jpeg';
    case 'gif':
      return 'gif';
    case 'tiff':
    case 'tif':
    case 'geotiff':
      return 'tiff';
    case 'webp':
      return 'webp';
    case 'mixed':
    case 'vnd.jpeg-png':
      return 'mixed';
    default:
      return null;
  }
}

/** libjpeg's, cgif's and libwebp's limits on a side; png and uncompressed tiff have none we reach. */
const MAX_SIDE = { jpeg: 65500, gif: 65535, webp: 16383 } as const;

/**
 * The longest side an image encoded with `options` may have (Infinity when the encoder has no
 * limit below max_output_pixels). A mixed format may become JPEG, so it takes JPEG's.
 */
export function maxEncodableSide(options: {
  readonly format: string;
  readonly tiffCompression?: string | null;
}): number {
  const name = formatName(options.format);
  if (name === 'jpeg' || name === 'mixed') return MAX_SIDE.jpeg;
  if (name === 'gif' || name === 'webp') return MAX_SIDE[name];
  if (name === 'tiff' && options.tiffCompression === 'jpeg') return MAX_SIDE.jpeg;
  return Infinity;
}
