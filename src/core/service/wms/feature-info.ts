/**
 * Merging several feature-info answers into one (MapProxy `combine_docs`): text is joined line by
 * line, HTML/XML documents are concatenated inside one root; a single answer passes unchanged.
 */
import type { FeatureInfoDoc } from '../../layer/index.js';

/** One document from `docs`; an empty text document when there are none. */
export function mergeFeatureInfo(docs: readonly FeatureInfoDoc[]): FeatureInfoDoc {
  const [first] = docs;
  if (first === undefined) return { data: Buffer.alloc(0), contentType: 'text/plain' };
  if (docs.length === 1) return first;
  const type = first.contentType;
  if (type.includes('html')) {
    const bodies = docs.map((d) => bodyOf(d.data.toString('utf8')));
    return { data: Buffer.from(`<html><body>${bodies.join('\n')}</body></html>`), contentType: type };
  }
  if (type.includes('xml') || type.includes('gml')) {
    const parts = docs.map((d) => d.data.toString('utf8').replace(/^<\?xml[^>]*\?>\s*/, ''));
    return {
      data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<root>${parts.join('')}</root>`),
      contentType: type,
    };
  }
  return { data: Buffer.from(docs.map((d) => d.data.toString('utf8')).join('\n')), contentType: type };
}

function bodyOf(html: string): string {
  const match = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return match?.[1] ?? html;
}
