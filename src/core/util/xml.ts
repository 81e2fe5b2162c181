/**
 * Escaping for XML and HTML output. Everything that came from a request or a config passes
 * through `escapeXml` or the `xml` template tag before it reaches a document.
 */

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes the five XML special characters; safe in text nodes and quoted attributes. */
export function escapeXml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** A value that is already markup and must not be escaped again (built by `xml` itself). */
export class RawXml {
  readonly markup: string;
  constructor(markup: string) {
    this.markup = markup;
  }
  toString(): string {
    return this.markup;
  }
}

/**
 * Template tag that escapes every interpolated value, except RawXml values (nested `xml`
 * results) and arrays of them, so documents can be composed from escaped fragments.
 */
export function xml(strings: TemplateStringsArray, ...values: unknown[]): RawXml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += renderValue(value) + (strings[i + 1] ?? '');
  });
  return new RawXml(out);
}

function renderValue(value: unknown): string {
  if (value instanceof RawXml) return value.markup;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeXml(value);
}
