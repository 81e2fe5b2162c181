/**
 * Feature info shared by WMS and WMTS: querying the info sources, and merging their answers into
 * one as MapProxy's `combine_docs` (featureinfo.py): XML into the first document's root, HTML into
 * the first document's body, JSON objects merged key by key, text (and mixed types) line by line.
 */
import type { FeatureInfoDoc, FeatureInfoSource, InfoQuery } from '../layer/index.js';
import { toInternalError } from './responses.js';

/**
 * The answers of `sources` to `query`, in order (sources with nothing to say left out). A source
 * or cache failure rejects as an internal `OgcError` (MapProxy lets it fail the request).
 */
export async function queryFeatureInfo(
  sources: readonly FeatureInfoSource[],
  query: InfoQuery,
): Promise<FeatureInfoDoc[]> {
  const docs: FeatureInfoDoc[] = [];
  for (const source of sources) {
    try {
      const doc = await source.getFeatureInfo(query);
      if (doc !== null) docs.push(doc);
    } catch (error) {
      throw toInternalError(error);
    }
  }
  return docs;
}

/** The response content type of a feature-info mime type: `text/*` with `charset=utf-8`, as MapProxy. */
export function infoContentType(type: string): string {
  return type.startsWith('text/') && !type.includes('charset') ? `${type}; charset=utf-8` : type;
}

export type InfoType = 'xml' | 'html' | 'json' | 'text';

const XML_TYPES = new Set(['text/xml', 'application/xml', 'application/gml+xml', 'application/vnd.ogc.gml']);

/** MapProxy `featureinfo_type`: the mime type without its options decides. */
export function infoType(contentType: string): InfoType {
  const mime = (contentType.split(';', 1)[0] ?? '').trim();
  if (XML_TYPES.has(mime)) return 'xml';
  if (mime === 'text/html') return 'html';
  if (mime === 'application/json') return 'json';
  return 'text';
}

/** One document from `docs`; an empty text document when there are none. */
export function mergeFeatureInfo(docs: readonly FeatureInfoDoc[]): FeatureInfoDoc {
  const [first] = docs;
  if (first === undefined) return { data: Buffer.alloc(0), contentType: 'text/plain' };
  if (docs.length === 1) return first;
  const types = new Set(docs.map((d) => infoType(d.contentType)));
  const texts = docs.map((d) => d.data.toString('utf8'));
  const type = types.size === 1 ? infoType(first.contentType) : 'text';
  try {
    if (type === 'xml') return { data: Buffer.from(mergeXml(texts)), contentType: first.contentType };
    if (type === 'html') return { data: Buffer.from(mergeHtml(texts)), contentType: first.contentType };
    if (type === 'json') return { data: Buffer.from(mergeJson(texts)), contentType: first.contentType };
  } catch {
    // a document that does not parse: MapProxy fails the request; joining the answers loses nothing
  }
  return {
    data: Buffer.concat(docs.flatMap((d, i) => (i === 0 ? [d.data] : [Buffer.from('\n'), d.data]))),
    contentType: types.size === 1 ? first.contentType : 'text/plain',
  };
}

/** Where a document's root element starts and ends (`<name ...>` ... `</name>`). */
function rootOf(xml: string): {
  name: string;
  openEnd: number;
  closeStart: number;
  selfClosing: boolean;
  start: number;
} {
  // skip the prolog: declaration, comments, processing instructions, doctype
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*/i.exec(xml);
  const start = prolog?.[0].length ?? 0;
  const open = /^<([A-Za-z_][\w.:-]*)(?:\s[^>]*?)?(\/?)>/.exec(xml.slice(start));
  if (open?.[1] === undefined) throw new Error('no root element');
  const name = open[1];
  const openEnd = start + open[0].length;
  if (open[2] === '/') return { name, openEnd, closeStart: openEnd, selfClosing: true, start };
  const closeStart = xml.lastIndexOf(`</${name}`);
  if (closeStart < openEnd) throw new Error(`no </${name}>`);
  return { name, openEnd, closeStart, selfClosing: false, start };
}

/** lxml's serialisation in ASCII: characters beyond it as numeric references. */
function asciiReferences(text: string): string {
  return text.replace(/[\u0080-\u{10ffff}]/gu, (char) => `&#${String(char.codePointAt(0))};`);
}

/**
 * The first document's root with the child elements of every other root appended (each with the
 * text that follows it, as lxml moves an element's tail); the XML declaration is dropped.
 */
function mergeXml(texts: readonly string[]): string {
  const [first = '', ...others] = texts;
  const root = rootOf(first);
  const children = others.map((text) => {
    const other = rootOf(text);
    const inner = text.slice(other.openEnd, other.closeStart);
    // the root's own leading text stays behind; only elements (and their tails) move
    const firstChild = inner.indexOf('<');
    return firstChild < 0 ? '' : inner.slice(firstChild);
  });
  const withoutDeclaration = first.slice(0, root.start).replace(/<\?xml[\s\S]*?\?>\s*/, '');
  const head = first.slice(root.start, root.selfClosing ? root.openEnd - 2 : root.openEnd);
  const body = root.selfClosing ? '' : first.slice(root.openEnd, root.closeStart);
  const close = `</${root.name}>`;
  return asciiReferences(
    `${withoutDeclaration}${head}${root.selfClosing ? '>' : ''}${body}${children.join('')}${close}`,
  );
}

function bodyInner(html: string): string {
  const match = /<body[^>]*>([\s\S]*?)<\/body>/i.exec(html);
  return match?.[1] ?? html.replace(/<\/?(?:html|head)[^>]*>|<title>[\s\S]*?<\/title>/gi, '');
}

/** The first document with the body content of every other one appended to its body. */
function mergeHtml(texts: readonly string[]): string {
  const [first = '', ...others] = texts;
  const extra = others.map(bodyInner).join('');
  const bodyEnd = first.search(/<\/body>/i);
  if (bodyEnd >= 0) return `${first.slice(0, bodyEnd)}${extra}${first.slice(bodyEnd)}`;
  return `<html><body>${bodyInner(first)}${extra}</body></html>`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** MapProxy `merge_dict`: new keys added, objects merged, lists extended, anything else replaced. */
function mergeInto(base: Record<string, Json>, other: Record<string, Json>): Record<string, Json> {
  for (const [key, value] of Object.entries(other)) {
    // own keys only, and defined rather than assigned: an upstream's "__proto__" is a key as in
    // Python; read through `base[key]` it was Object.prototype, and merging into it reached every
    // object of the process
    const current = Object.hasOwn(base, key) ? base[key] : undefined;
    if (isObject(current) && isObject(value)) mergeInto(current, value);
    else if (Array.isArray(current) && Array.isArray(value)) current.push(...value);
    else Object.defineProperty(base, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return base;
}

function isObject(value: Json | undefined): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON objects merged in order, written as Python's `json.dumps` (`", "` and `": "`). */
function mergeJson(texts: readonly string[]): string {
  const objects = texts.map((text) => JSON.parse(text) as Json);
  if (!objects.every(isObject)) throw new Error('feature info JSON that is not an object');
  const merged = objects.reduce((a, b) => mergeInto(a, b));
  return pythonJson(merged);
}

function pythonJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${asciiJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return typeof value === 'string' ? asciiJson(value) : JSON.stringify(value);
}

/** A JSON string with non-ASCII characters escaped, as Python's `ensure_ascii`. */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
