/**
 * The answer to a WMS GetFeatureInfo from its sources' answers (MapProxy `WMSServer.featureinfo`):
 * combined, and with `services.wms.featureinfo_xslt` transformed by the stylesheet of the info type
 * the client asked for (the response then keeps the requested mime type).
 */
import type { FeatureInfoDoc } from '../../layer/index.js';
import { runXslt } from '../../util/index.js';
import { infoType, mergeFeatureInfo } from '../feature-info.js';
import { toInternalError } from '../responses.js';
import { infoMime, infoTypeOfMime } from './info-mime.js';
import type { WmsVersion } from './wms-version.js';

export interface InfoXslt {
  /** Absolute stylesheet path by info type (`xml`, `html`, ...). */
  readonly stylesheets: ReadonlyMap<string, string>;
  readonly timeoutMs?: number | undefined;
}

/**
 * The combined (and transformed) answer for `requested` (INFO_FORMAT, if any); `docs` is not empty.
 * A transform failure rejects as an internal `OgcError`, as MapProxy fails the request.
 */
export async function featureInfoResponse(
  docs: readonly FeatureInfoDoc[],
  requested: string | undefined,
  version: WmsVersion,
  xslt: InfoXslt | undefined,
): Promise<{ data: Buffer; contentType: string }> {
  const merged = mergeFeatureInfo(docs);
  const types = new Set(docs.map((d) => infoType(d.contentType)));
  const combinedType = types.size > 1 ? 'text' : infoType(merged.contentType);
  // without stylesheets the mime type is the combined answers' type, whatever was requested
  if (xslt === undefined || xslt.stylesheets.size === 0)
    return { data: merged.data, contentType: infoMime(version, combinedType) };
  // 1. the info type: the requested one, else xml, html or text, whichever has a stylesheet first
  let mime = requested;
  let type: string | undefined;
  if (mime === undefined) {
    type = ['xml', 'html'].find((t) => xslt.stylesheets.has(t)) ?? 'text';
    mime = infoMime(version, type);
  } else type = infoTypeOfMime(version, mime);
  // 2. MapProxy `combine_docs`: answers of different types are joined as text, untransformed
  // MapProxy fails with an internal error when no stylesheet has the requested type, and when the
  // answers are text or JSON, which have no tree to transform (`as_etree` raises
  // NotImplementedError; docs/differences.md): the answers are combined as without featureinfo_xslt
  const stylesheet = type === undefined ? undefined : xslt.stylesheets.get(type);
  const transformable = combinedType === 'xml' || combinedType === 'html';
  if (types.size > 1 || stylesheet === undefined || !transformable) {
    return { data: merged.data, contentType: combinedType === type ? mime : infoMime(version, combinedType) };
  }
  // 3. the transform reads HTML answers as HTML and writes XML, as MapProxy's `XSLTransformer(xslt)`
  try {
    const data = await runXslt(stylesheet, merged.data, {
      htmlInput: combinedType === 'html',
      output: 'xml',
      timeoutMs: xslt.timeoutMs,
    });
    return { data, contentType: mime };
  } catch (error) {
    throw toInternalError(error);
  }
}
