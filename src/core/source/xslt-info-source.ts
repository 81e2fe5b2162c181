/**
 * A WMS source's `featureinfo_xslt` (MapProxy `WMSInfoSource` with an `XSLTransformer`): every
 * answer of the source is transformed before it is combined with the others.
 */
import { runXslt } from '../util/index.js';
import { SourceError } from './errors.js';
import type { FeatureInfoDoc, FeatureInfoSource, InfoQuery } from './info-types.js';

export interface XsltInfoSourceOptions {
  /** Source name, for errors. */
  readonly name: string;
  /** Absolute path of the stylesheet; read at each transform, as MapProxy does. */
  readonly stylesheet: string;
  /** `featureinfo_format`: the answer's type whatever content type the upstream sends. */
  readonly inputFormat?: string | undefined;
  /** `featureinfo_out_format`, else `featureinfo_format`: HTML output is an HTML document. */
  readonly outputFormat?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/** MapProxy `featureinfo_type`, for the two types a transform reads and writes. */
function isHtml(format: string): boolean {
  return (format.split(';', 1)[0] ?? '').trim() === 'text/html';
}

/** `inner` with each of its answers transformed by `options.stylesheet`. */
export function createXsltInfoSource(
  inner: FeatureInfoSource,
  options: XsltInfoSourceOptions,
): FeatureInfoSource {
  const htmlOutput = isHtml(options.outputFormat ?? 'text/xml');
  return {
    async getFeatureInfo(query: InfoQuery): Promise<FeatureInfoDoc | null> {
      const doc = await inner.getFeatureInfo(query);
      if (doc === null) return null;
      // MapProxy's client takes the type from `featureinfo_format` before the content type
      const htmlInput = isHtml(options.inputFormat ?? doc.contentType);
      try {
        const data = await runXslt(options.stylesheet, doc.data, {
          htmlInput,
          output: htmlOutput ? 'html' : 'xml',
          timeoutMs: options.timeoutMs,
        });
        return { data, contentType: htmlOutput ? 'text/html' : 'text/xml' };
      } catch (error) {
        throw new SourceError(
          `feature info of ${options.name}: ${error instanceof Error ? error.message : String(error)}`,
          'SOURCE_INVALID_QUERY',
          { sourceName: options.name, cause: error },
        );
      }
    },
  };
}
