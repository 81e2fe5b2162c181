/**
 * YAML reading: positions, YAML 1.1 scalars like PyYAML, anchors and merge keys, syntax errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigErrors } from './errors.js';
import { keyPositionOf, positionOf, toPlain } from './node.js';
import { parseYaml } from './yaml-file.js';

const text = [
  'caches:',
  '  osm:',
  '    grids: [GLOBAL_WEBMERCATOR, webmerc]',
  '    sources:',
  '      - osm_wms',
  '',
].join('\n');

test('every value knows its file, line and column', () => {
  const { root } = parseYaml(text, '/conf/mapproxy.yaml');
  assert.deepEqual(positionOf(root, ['caches', 'osm', 'grids', 1]), {
    file: '/conf/mapproxy.yaml',
    line: 3,
    column: 33,
  });
  assert.deepEqual(positionOf(root, ['caches', 'osm', 'sources', 0]), {
    file: '/conf/mapproxy.yaml',
    line: 5,
    column: 9,
  });
  assert.deepEqual(keyPositionOf(root, ['caches', 'osm', 'sources']), {
    file: '/conf/mapproxy.yaml',
    line: 4,
    column: 5,
  });
});

test('a missing path points at its closest parent; a null value at its key', () => {
  const { root } = parseYaml('services:\n  demo:\n  wms:\n    md: {}\n', 'm.yaml');
  assert.deepEqual(positionOf(root, ['services', 'demo']), { file: 'm.yaml', line: 2, column: 3 });
  assert.deepEqual(positionOf(root, ['services', 'wms', 'md', 'title']), {
    file: 'm.yaml',
    line: 4,
    column: 9,
  });
});

test('reads YAML 1.1 scalars like PyYAML and keeps dates as strings', () => {
  const { root } = parseYaml(
    'a: yes\nb: off\nc: 0777\nd: 1.0\ne: 2010-10-21\nf: ~\ng: "1.5"\nh: n\n',
    'm.yaml',
  );
  assert.deepEqual(toPlain(root), {
    a: true,
    b: false,
    c: 511,
    d: 1,
    e: '2010-10-21',
    f: null,
    g: '1.5',
    h: 'n',
  });
  const d = root.entries.get('d')?.value;
  assert.equal(d?.kind === 'scalar' && d.isFloat, true);
});

test('every unquoted scalar loads as PyYAML loads it under MapProxy 1.15 (e5, 1e5, 1.5e3 stay strings)', () => {
  // captured once with mapproxy.util.yaml.load_yaml; see the fixture's capturedFrom
  const fixture = JSON.parse(
    readFileSync(new URL('../../../test/fixtures/config/pyyaml-scalars.json', import.meta.url), 'utf8'),
  ) as { scalars: [string, Record<string, unknown>][] };
  const doc = fixture.scalars.map(([source], i) => `k${String(i)}: ${source}`).join('\n');
  const plain = toPlain(parseYaml(doc, 'm.yaml').root) as Record<string, unknown>;
  for (const [i, [source, expected]] of fixture.scalars.entries()) {
    const [kind, value] = Object.entries(expected)[0] ?? [];
    const got = plain[`k${String(i)}`];
    const want =
      kind === 'float' && typeof value === 'string'
        ? { inf: Infinity, '-inf': -Infinity, nan: NaN }[value]
        : value;
    assert.deepEqual(got, want, `${source} (${String(kind)})`);
    if (kind === 'str') assert.equal(typeof got, 'string', source);
    if (kind === 'int' || kind === 'float') assert.equal(typeof got, 'number', source);
  }
});

test('resolves anchors and merge keys; explicit keys win', () => {
  const { root } = parseYaml(
    [
      'parts:',
      '  base: &base',
      '    type: wms',
      '    req: {url: "http://x"}',
      'sources:',
      '  s:',
      '    <<: *base',
      '    type: tile',
      '',
    ].join('\n'),
    'm.yaml',
  );
  assert.deepEqual(toPlain(root.entries.get('sources')?.value ?? root), {
    s: { req: { url: 'http://x' }, type: 'tile' },
  });
  // merged values keep the anchor's position
  assert.equal(positionOf(root, ['sources', 's', 'req', 'url']).line, 4);
});

test('a duplicate key warns and the last one wins, as in PyYAML', () => {
  const { root, warnings } = parseYaml('a: 1\nb: 2\na: 3\n', 'm.yaml');
  assert.deepEqual(toPlain(root), { b: 2, a: 3 });
  assert.deepEqual(
    warnings.map((w) => [w.code, w.line, w.column]),
    [['CONFIG_DUPLICATE_KEY', 3, 1]],
  );
});

test('syntax errors carry file, line and column', () => {
  assert.throws(
    () => parseYaml('services:\n  wms:\n    md: [title\nlayers: x\n', 'bad.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigErrors);
      const first = err.errors[0];
      assert.equal(first?.code, 'CONFIG_SYNTAX');
      assert.equal(first.file, 'bad.yaml');
      assert.equal(first.line, 4);
      assert.match(first.message, /^bad\.yaml:4:1: YAML syntax error: /);
      return true;
    },
  );
});

test('a document that is not a mapping is rejected like MapProxy', () => {
  for (const source of ['- a\n- b\n', 'just text\n', '', '# only a comment\n']) {
    assert.throws(
      () => parseYaml(source, 'list.yaml'),
      (err: unknown) =>
        err instanceof ConfigErrors &&
        err.errors[0]?.code === 'CONFIG_NOT_A_MAPPING' &&
        err.errors[0].detail === 'configuration not a YAML dictionary',
    );
  }
});

/** A "billion laughs" document: `levels` anchors, each a list of ten aliases of the one before. */
function aliasBomb(levels: number): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

test('an alias bomb is refused with a config error at the alias instead of expanding it', () => {
  // 10^6 values: enough for the limit, small enough that the unlimited expansion still finishes
  assert.throws(
    () => parseYaml(aliasBomb(5), 'bomb.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigErrors);
      assert.equal(err.errors.length, 1);
      assert.equal(err.errors[0]?.code, 'CONFIG_ALIAS_LIMIT');
      assert.match(err.message, /^bomb\.yaml:5:\d+ l4\[\d\]: aliases expand to more than 100000 values/);
      return true;
    },
  );
});

test('aliases within the limit expand as before', () => {
  const { root } = parseYaml(aliasBomb(3), 'fine.yaml');
  const l3 = root.entries.get('l3')?.value;
  assert.equal(l3?.kind, 'seq');
  assert.equal(l3.items.length, 10);
});
