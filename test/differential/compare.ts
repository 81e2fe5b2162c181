/**
 * Comparison of two answers to the same request: status, content type, XML facts (every element
 * text and attribute by path, numbers rounded, server addresses replaced), decoded pixels
 * (PSNR >= 35 dB) and the upstream requests the request caused.
 */
import { XMLParser } from 'fast-xml-parser';
import sharp, { type OutputInfo } from 'sharp';
import { roundNumbers } from './upstream.js';

export const MIN_PSNR_DB = 35;

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  /** Upstream requests this request caused, normalised. */
  readonly upstream: readonly string[];
  /** The response headers run.ts keeps (lower-case names), for HEAD and redirects. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request's method (GET unless said). */
  readonly method?: string;
}

export interface CompareOptions {
  /**
   * HTML bodies (the demo pages) are compared by their facts (htmlFacts); other HTML (feature
   * info of an upstream) is not compared, as before.
   */
  readonly html?: boolean;
}

/** What differs; empty when the answers match. */
export async function compareAnswers(
  mapproxy: Answer,
  ours: Answer,
  normalise: (side: 'mapproxy' | 'ours', text: string) => string,
  options: CompareOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  if (mapproxy.status !== ours.status)
    problems.push(`status: mapproxy ${mapproxy.status}, ours ${ours.status}`);
  const typeA = mediaType(mapproxy.contentType);
  const typeB = mediaType(ours.contentType);
  if (typeA !== typeB)
    problems.push(`content type: mapproxy ${mapproxy.contentType}, ours ${ours.contentType}`);
  if (mapproxy.status >= 300 && mapproxy.status < 400 && mapproxy.status === ours.status) {
    const [a, b] = [
      normalise('mapproxy', mapproxy.headers?.location ?? ''),
      normalise('ours', ours.headers?.location ?? ''),
    ];
    if (a !== b) problems.push(`location: mapproxy ${a}, ours ${b}`);
  }
  if (mapproxy.method === 'HEAD') {
    problems.push(...compareHead(mapproxy, ours));
  } else if (typeA === 'text/html' && typeB === 'text/html' && options.html === true) {
    const facts = (side: 'mapproxy' | 'ours', answer: Answer): Map<string, number> =>
      htmlFacts(normalise(side, answer.body.toString('utf8')));
    problems.push(...compareFacts('html', facts('mapproxy', mapproxy), facts('ours', ours)));
  } else if (typeA.startsWith('image/') && typeB.startsWith('image/')) {
    problems.push(...(await compareImages(mapproxy.body, ours.body)));
  } else if (isXml(typeA, mapproxy.body) && isXml(typeB, ours.body)) {
    const facts = (side: 'mapproxy' | 'ours', answer: Answer): Map<string, number> =>
      xmlFacts(normalise(side, answer.body.toString('utf8')));
    problems.push(...compareFacts('xml', facts('mapproxy', mapproxy), facts('ours', ours)));
  } else if (typeA === typeB && typeA.startsWith('text/') && mapproxy.status !== 200) {
    // plain-text error bodies: the status and type carry the meaning
  } else if (typeA === typeB && !mapproxy.body.equals(ours.body) && !typeA.startsWith('text/html')) {
    const a = normalise('mapproxy', mapproxy.body.toString('utf8'));
    const b = normalise('ours', ours.body.toString('utf8'));
    if (a !== b) problems.push(`body differs (${mapproxy.body.length} vs ${ours.body.length} bytes)`);
  }
  const upstreamA = [...mapproxy.upstream].sort();
  const upstreamB = [...ours.upstream].sort();
  if (upstreamA.join('\n') !== upstreamB.join('\n')) {
    const onlyA = upstreamA.filter((r) => !upstreamB.includes(r));
    const onlyB = upstreamB.filter((r) => !upstreamA.includes(r));
    problems.push(
      describeSets(
        `upstream: mapproxy ${upstreamA.length} requests, ours ${upstreamB.length}`,
        onlyA,
        onlyB,
        3,
      ),
    );
  }
  return problems;
}

/** The facts counted more often on one side than on the other, as one problem (or none). */
function compareFacts(label: string, a: Map<string, number>, b: Map<string, number>): string[] {
  const only = (x: Map<string, number>, y: Map<string, number>): string[] =>
    [...x].filter(([fact, n]) => (y.get(fact) ?? 0) < n).map(([fact]) => fact);
  const missing = only(a, b);
  const extra = only(b, a);
  if (missing.length === 0 && extra.length === 0) return [];
  return [
    describeSets(
      `${label}: ${missing.length} facts only in mapproxy, ${extra.length} only in ours`,
      missing,
      extra,
      6,
    ),
  ];
}

/**
 * A HEAD answer: status and type are compared above; here no body from ours (a HEAD answer has
 * none, RFC 9110 9.3.2), the same cache validators and lifetime (ETag and Last-Modified present
 * or not, Cache-Control alike) and a Content-Length on both or neither. Bodies are not compared
 * (MapProxy's development server sends the GET body; the client drops it).
 */
function compareHead(mapproxy: Answer, ours: Answer): string[] {
  const problems: string[] = [];
  if (ours.body.length > 0) problems.push(`HEAD: ours sent a body of ${ours.body.length} bytes`);
  const a = mapproxy.headers ?? {};
  const b = ours.headers ?? {};
  for (const name of ['etag', 'last-modified', 'content-length']) {
    if ((a[name] === undefined) !== (b[name] === undefined)) {
      problems.push(`HEAD ${name}: mapproxy ${a[name] ?? 'none'}, ours ${b[name] ?? 'none'}`);
    }
  }
  const cacheControl = (h: Readonly<Record<string, string>>): string =>
    (h['cache-control'] ?? 'none').replace(/\s+/g, '').toLowerCase();
  if (cacheControl(a) !== cacheControl(b)) {
    problems.push(
      `HEAD cache-control: mapproxy ${a['cache-control'] ?? 'none'}, ours ${b['cache-control'] ?? 'none'}`,
    );
  }
  return problems;
}

/**
 * The facts of a demo page that must be equal, counted: what it offers and where it leads, not
 * how it looks or which viewer it runs (ours is its own markup and OpenLayers client, see
 * docs/differences). Facts: every link (`href` other than `#` and the page's static files), every
 * form control (`select` options with value, label and selection; hidden and other inputs by
 * name and value), the labels of entries (the text of a link or button, whether SRS, format or
 * document, and a layer's name in its row's first cell), and a capabilities document shown in a `<pre>` by its xmlFacts (MapProxy wraps
 * its lines at 90 columns, at spaces and after hyphens; the lines are joined back first).
 */
export function htmlFacts(html: string): Map<string, number> {
  const facts = new Map<string, number>();
  const add = (fact: string): void => {
    facts.set(fact, (facts.get(fact) ?? 0) + 1);
  };
  const rest = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_, body: string) => {
      const text = unescapeHtml(body).trim();
      if (text.startsWith('<') && !text.startsWith('<script')) {
        const joined = text.replace(/-\n\s*/g, '-').replace(/\s*\n\s*/g, ' ');
        for (const [fact, n] of xmlFacts(joined)) for (let i = 0; i < n; i++) add(`xml: ${fact}`);
      }
      return ' ';
    });
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
  let last = 0;
  let select = '';
  let option: string | null = null;
  // open `a`, `button` and `td rowspan` elements: the text of the innermost is an entry's label
  const open: boolean[] = [];
  const text = (chunk: string): void => {
    const value = clean(unescapeHtml(chunk));
    if (value === '') return;
    if (option !== null) option += value;
    else if (open.at(-1) === true) add(`label: ${value}`);
  };
  for (const match of rest.matchAll(tag)) {
    text(rest.slice(last, match.index));
    last = match.index + match[0].length;
    const closing = match[1] === '/';
    const name = match[2]!.toLowerCase();
    const attrs = attributeMap(match[3] ?? '');
    if (name === 'a' || name === 'button' || name === 'td') {
      if (closing) open.pop();
      else open.push(name !== 'td' || attrs.has('rowspan'));
    }
    if (name === 'select' && !closing) select = attrs.get('name') ?? '';
    else if (name === 'option') {
      if (option !== null) add(option);
      option = closing
        ? null
        : `option: ${select}=${attrs.get('value') ?? ''}${attrs.has('selected') ? ' (selected)' : ''} `;
    } else if (name === 'input' && !closing) {
      add(`input: ${attrs.get('type') ?? 'text'} ${attrs.get('name') ?? ''}=${attrs.get('value') ?? ''}`);
    } else if (name === 'a' && !closing) {
      const href = attrs.get('href') ?? '#';
      if (href !== '#' && !href.startsWith('static/')) add(`link: ${href}`);
    }
    if (name === 'select' && closing && option !== null) {
      add(option);
      option = null;
    }
  }
  text(rest.slice(last));
  return facts;
}

function attributeMap(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    attrs.set(m[1]!.toLowerCase(), clean(unescapeHtml(m[2] ?? m[3] ?? m[4] ?? '')));
  }
  return attrs;
}

function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };
    return named[name.toLowerCase()] ?? entity;
  });
}

/** `title`, then up to `limit` entries only MapProxy's (`-`) and only ours (`+`), one a line. */
export function describeSets(
  title: string,
  onlyMapProxy: readonly string[],
  onlyOurs: readonly string[],
  limit: number,
): string {
  const lines = (items: readonly string[], mark: string): string =>
    items
      .slice(0, limit)
      .map((item) => `\n    ${mark} ${item}`)
      .join('');
  return title + lines(onlyMapProxy, '-') + lines(onlyOurs, '+');
}

function mediaType(value: string): string {
  return value.split(';')[0]!.trim().toLowerCase();
}

function isXml(type: string, body: Buffer): boolean {
  return type.includes('xml') || body.subarray(0, 100).toString('utf8').trimStart().startsWith('<?xml');
}

/** Both decode to the same size and pixels (PSNR >= MIN_PSNR_DB); else what differs. */
export async function compareImages(a: Buffer, b: Buffer): Promise<string[]> {
  let rawA: { data: Buffer; info: OutputInfo };
  let rawB: { data: Buffer; info: OutputInfo };
  try {
    rawA = await sharp(a).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    rawB = await sharp(b).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    return [`image does not decode: ${String(error)}`];
  }
  if (rawA.info.width !== rawB.info.width || rawA.info.height !== rawB.info.height) {
    return [
      `image size: mapproxy ${rawA.info.width}x${rawA.info.height}, ours ${rawB.info.width}x${rawB.info.height}`,
    ];
  }
  const value = psnr(rawA.data, rawB.data);
  return value >= MIN_PSNR_DB ? [] : [`pixels: PSNR ${value.toFixed(1)} dB < ${MIN_PSNR_DB}`];
}

/** PSNR over RGBA, with colour weighted by alpha so that invisible pixels do not count. */
export function psnr(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    const alphaA = a[i + 3]! / 255;
    const alphaB = b[i + 3]! / 255;
    for (let c = 0; c < 3; c++) {
      const d = a[i + c]! * alphaA - b[i + c]! * alphaB;
      sum += d * d;
    }
    const d = a[i + 3]! - b[i + 3]!;
    sum += d * d;
  }
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  // character references (`&#39;`, ours for an apostrophe) are the same text as the character
  htmlEntities: true,
  trimValues: true,
});

/** Every text and attribute of `xml` as `path=value`, counted. */
export function xmlFacts(xml: string): Map<string, number> {
  const facts = new Map<string, number>();
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    facts.set(`unparsable: ${xml.slice(0, 80)}`, 1);
    return facts;
  }
  const add = (fact: string): void => {
    facts.set(fact, (facts.get(fact) ?? 0) + 1);
  };
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, path);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key.startsWith('@')) {
          if (key.startsWith('@xmlns') || key === '@schemaLocation') continue;
          add(`${path}/${key}=${clean(String(value))}`);
        } else if (key === '#text') add(`${path}=${clean(srsList(path, String(value)))}`);
        else walk(value, `${path}/${key}`);
      }
    } else if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      if (node !== '') add(`${path}=${clean(srsList(path, String(node)))}`);
    }
  };
  walk(doc, '');
  return facts;
}

/**
 * WMS 1.0.0 lists a layer's SRS in one element; MapProxy writes them in Python set order (which
 * changes with PYTHONHASHSEED), so the list compares as a set.
 */
function srsList(path: string, value: string): string {
  return path.endsWith('/SRS') ? value.trim().split(/\s+/).sort().join(' ') : value;
}

function clean(value: string): string {
  return roundNumbers(value.replace(/\s+/g, ' ').trim());
}
