/**
 * A minimal XML reader for structural assertions on the documents the services write (after
 * `assertValidXml` has checked them): elements by qualified name, attributes, decoded text.
 */
import assert from 'node:assert/strict';

export interface XmlElement {
  /** Qualified name as written, e.g. `ows:Identifier`. */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own decoded character data (children's text excluded), untrimmed. */
  readonly text: string;
}

const TOKEN =
  /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses `doc` into its root element; fails the test on malformed input. */
export function parseXml(doc: string): XmlElement {
  type Building = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string };
  const stack: Building[] = [];
  let root: XmlElement | null = null;
  for (const match of doc.matchAll(TOKEN)) {
    const [token, closing, opening, attrs = '', selfClosing, text] = match;
    if (text !== undefined) {
      const top = stack.at(-1);
      if (top !== undefined) top.text += decode(text);
      else assert.equal(text.trim(), '', `text outside the root element: ${text}`);
    } else if (opening !== undefined) {
      const attributes: Record<string, string> = {};
      for (const [, name = '', double, single] of attrs.matchAll(ATTRIBUTE))
        attributes[name] = decode(double ?? single ?? '');
      const element: Building = { name: opening, attributes, children: [], text: '' };
      stack.at(-1)?.children.push(element);
      if (stack.length === 0) root = element;
      if (selfClosing !== '/') stack.push(element);
    } else if (closing !== undefined) {
      const open = stack.pop();
      assert.equal(open?.name, closing, `mismatched </${closing}>`);
    } else {
      assert.ok(token.startsWith('<?') || token.startsWith('<!--'), `cannot parse ${token}`);
    }
  }
  assert.equal(stack.length, 0, 'unclosed elements');
  assert.ok(root !== null, 'no root element');
  return root;
}

/**
 * Elements along a `/`-separated path of qualified names below `from`; a leading `//` searches
 * all descendants for the first step (`//ows:Identifier`, `Contents/Layer`).
 */
export function select(from: XmlElement, path: string): XmlElement[] {
  const deep = path.startsWith('//');
  const steps = path.replace(/^\/\//, '').split('/');
  let current: XmlElement[] = [from];
  steps.forEach((step, i) => {
    current = current.flatMap((element) =>
      i === 0 && deep
        ? descendants(element).filter((d) => d.name === step)
        : element.children.filter((c) => c.name === step),
    );
  });
  return current;
}

/** The trimmed text of every element `select` finds. */
export function texts(from: XmlElement, path: string): string[] {
  return select(from, path).map((element) => element.text.trim());
}

function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity.toLowerCase()] ?? '';
  });
}
