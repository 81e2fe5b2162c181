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
}

/** What differs; empty when the answers match. */
export async function compareAnswers(
  mapproxy: Answer,
  ours: Answer,
  normalise: (side: 'mapproxy' | 'ours', text: string) => string,
): Promise<string[]> {
  const problems: string[] = [];
  if (mapproxy.status !== ours.status)
    problems.push(`status: mapproxy ${mapproxy.status}, ours ${ours.status}`);
  const typeA = mediaType(mapproxy.contentType);
  const typeB = mediaType(ours.contentType);
  if (typeA !== typeB)
    problems.push(`content type: mapproxy ${mapproxy.contentType}, ours ${ours.contentType}`);
  if (typeA.startsWith('image/') && typeB.startsWith('image/')) {
    problems.push(...(await compareImages(mapproxy.body, ours.body)));
  } else if (isXml(typeA, mapproxy.body) && isXml(typeB, ours.body)) {
    const a = xmlFacts(normalise('mapproxy', mapproxy.body.toString('utf8')));
    const b = xmlFacts(normalise('ours', ours.body.toString('utf8')));
    const only = (x: Map<string, number>, y: Map<string, number>): string[] =>
      [...x].filter(([fact, n]) => (y.get(fact) ?? 0) < n).map(([fact]) => fact);
    const missing = only(a, b);
    const extra = only(b, a);
    if (missing.length > 0 || extra.length > 0) {
      problems.push(
        describeSets(
          `xml: ${missing.length} facts only in mapproxy, ${extra.length} only in ours`,
          missing,
          extra,
          6,
        ),
      );
    }
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

async function compareImages(a: Buffer, b: Buffer): Promise<string[]> {
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
