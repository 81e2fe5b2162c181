/**
 * `$VAR` / `${VAR}` expansion, as MapProxy's util/yaml.py `replace_env_vars`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigWarning } from './errors.js';
import { expandEnv, expandString } from './env.js';
import { toPlain } from './node.js';
import { parseYaml } from './yaml-file.js';

const env = { HOST: 'example.org', LAYER: 'osm', EMPTY: '' };

const cases: [string, string][] = [
  ['http://$HOST/wms', 'http://example.org/wms'],
  ['http://${HOST}/wms', 'http://example.org/wms'],
  ['$LAYER,${LAYER}', 'osm,osm'],
  ['${HOST}x$HOSTx', 'example.orgx$HOSTx'],
  ['$EMPTY-', '-'],
  ['$UNSET and ${ALSO_UNSET}', '$UNSET and ${ALSO_UNSET}'],
  ['100$ and $', '100$ and $'],
  ['${}', '${}'],
];

for (const [input, expected] of cases) {
  test(`expands ${JSON.stringify(input)}`, () => {
    assert.equal(
      expandString(input, env, () => undefined),
      expected,
    );
  });
}

test('expands string values only, never keys or numbers', () => {
  const { root } = parseYaml('$HOST: $HOST\nn: 5\nlist: [$LAYER, 7, true]\n', 'conf.yaml');
  assert.deepEqual(toPlain(expandEnv(root, env, [], new Set())), {
    $HOST: 'example.org',
    n: 5,
    list: ['osm', 7, true],
  });
});

test('warns once per unset name, at its first use, and keeps the placeholder', () => {
  const { root } = parseYaml('a: http://${server}/x\nb:\n  c: $server\n  d: $layer\n', 'conf.yaml');
  const warnings: ConfigWarning[] = [];
  const expanded = expandEnv(root, {}, warnings, new Set());
  assert.deepEqual(toPlain(expanded), { a: 'http://${server}/x', b: { c: '$server', d: '$layer' } });
  assert.deepEqual(
    warnings.map((w) => [w.code, w.line, w.column, w.path.join('.'), w.message]),
    [
      [
        'CONFIG_ENV_UNSET',
        1,
        4,
        'a',
        'environment variable "server" is not set; "http://${server}/x" is kept as written',
      ],
      [
        'CONFIG_ENV_UNSET',
        4,
        6,
        'b.d',
        'environment variable "layer" is not set; "$layer" is kept as written',
      ],
    ],
  );
});
