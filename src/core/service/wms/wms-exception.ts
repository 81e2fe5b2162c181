/**
 * WMS exception responses as MapProxy 1.15 renders them (`request/wms/exception.py`): the
 * ServiceExceptionReport of each version (HTTP 200, as MapProxy answers), in-image and blank.
 */
import { messageImage, blankImage, type ImageFormatOptions } from '../../image/index.js';
import { escapeXml, getLogger } from '../../util/index.js';
import type { OgcError } from '../errors.js';
import { NO_CACHE } from '../responses.js';
import type { ServiceResponse } from '../types.js';
import type { WmsVersion } from './wms-version.js';

const log = getLogger('mapproxy.service.wms');

/** How an error is answered: XML for the version, or an image in the requested format. */
export interface WmsExceptionContext {
  readonly version: WmsVersion;
  /** The EXCEPTIONS parameter, as sent. */
  readonly exceptions: string | undefined;
  /** GetMap parameters for image exceptions; null for requests that cannot show an image. */
  readonly image: {
    readonly size: readonly [number, number] | null;
    readonly format: string;
    readonly options: ImageFormatOptions;
    readonly transparent: boolean;
    readonly bgcolor: readonly [number, number, number];
  } | null;
}

/** MapProxy escapes `&<>"'` with Python's `html.escape` (`'` as `&#x27;`). */
function pyEscape(text: string): string {
  return escapeXml(text).replaceAll('&#39;', '&#x27;');
}

/** The XML exception document of `version` (MapProxy's templates, byte for byte). */
export function renderWmsExceptionXml(version: WmsVersion, message: string, code: string | null): string {
  const msg = pyEscape(message);
  const codeAttr = code === null ? '' : ` code="${pyEscape(code)}"`;
  switch (version) {
    case '1.0.0':
      return `<?xml version="1.0"?>\n<WMTException version="1.0.0">\n${msg}\n</WMTException>`;
    case '1.1.0':
    case '1.1.1':
      return (
        `<?xml version="1.0"?>\n<!DOCTYPE ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/${version}/exception_${version.replaceAll('.', '_')}.dtd">\n` +
        `<ServiceExceptionReport version="${version}">\n    <ServiceException${codeAttr}>${msg}</ServiceException>\n</ServiceExceptionReport>`
      );
    case '1.3.0':
      return (
        '<?xml version="1.0"?>\n<ServiceExceptionReport version="1.3.0"\n  xmlns="http://www.opengis.net/ogc"\n' +
        '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n  xsi:schemaLocation="http://www.opengis.net/ogc\nhttp://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd">\n' +
        `    <ServiceException${codeAttr}>${msg}</ServiceException>\n</ServiceExceptionReport>`
      );
  }
}

/** MapProxy's content type of each version's XML exception. */
const XML_TYPES: Readonly<Record<WmsVersion, string>> = {
  '1.0.0': 'text/xml',
  '1.1.0': 'application/vnd.ogc.se_xml',
  '1.1.1': 'application/vnd.ogc.se_xml',
  '1.3.0': 'text/xml; charset=utf-8',
};

/**
 * The response for `error`: an image when EXCEPTIONS contains `image` (se_inimage, INIMAGE) or
 * `blank` (se_blank, BLANK) and the request can show one, else the version's XML (status 200,
 * or the error's own status). Never cached.
 */
export async function renderWmsException(
  error: OgcError,
  context: WmsExceptionContext,
): Promise<ServiceResponse> {
  const mode = context.exceptions?.toLowerCase() ?? '';
  const image = context.image;
  if (image !== null && (mode.includes('image') || mode.includes('blank'))) {
    const size = image.size ?? [256, 256];
    const text = mode.includes('image') ? error.message : '';
    try {
      const picture =
        text === ''
          ? blankImage(size, [...image.bgcolor, image.transparent ? 0 : 255])
          : await messageImage(text, size, { bgcolor: image.bgcolor, transparent: image.transparent });
      const encoded = await picture.encode({ ...image.options, transparent: image.transparent });
      return { status: 200, contentType: image.format, body: encoded.data, cache: NO_CACHE };
    } catch (imageError) {
      // an exception that cannot be drawn is still answered: in the version's XML
      log.warn(`cannot draw the exception image, answering XML: ${(imageError as Error).message}`);
    }
  }
  const code = error.ogcCode === 'NoApplicableCode' ? null : error.ogcCode;
  return {
    status: error.status ?? 200,
    contentType: XML_TYPES[context.version],
    body: renderWmsExceptionXml(context.version, error.message, code),
    cache: NO_CACHE,
  };
}
