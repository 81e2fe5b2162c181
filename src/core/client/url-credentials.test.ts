/** `user:pass@` splitting, pinned against MapProxy 1.15 `auth_data_from_url` doctests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl, splitUrlCredentials } from './index.js';

const CASES: readonly [string, string, string | null, string | null][] = [
  ['invalid_url', 'invalid_url', null, null],
  ['http://localhost/bar', 'http://localhost/bar', null, null],
  ['http://bar@localhost/bar', 'http://localhost/bar', 'bar', null],
  ['http://bar:baz@localhost/bar', 'http://localhost/bar', 'bar', 'baz'],
  ['http://bar:b:az@@localhost/bar', 'http://localhost/bar', 'bar', 'b:az@'],
  ['http://bar foo; foo@bar:b:az@@localhost/bar', 'http://localhost/bar', 'bar foo; foo@bar', 'b:az@'],
  ['https://bar:foo#;%$@localhost/bar', 'https://localhost/bar', 'bar', 'foo#;%$'],
  ['http://localhost/bar@2x', 'http://localhost/bar@2x', null, null],
  ['http://bar:baz@localhost/bar@2x.png', 'http://localhost/bar@2x.png', 'bar', 'baz'],
  ['http://user:pw@host:8080', 'http://host:8080/', 'user', 'pw'],
];

test('splits credentials like MapProxy auth_data_from_url', () => {
  for (const [input, url, username, password] of CASES) {
    assert.deepEqual(splitUrlCredentials(input), { url, username, password }, input);
  }
});

test('redactUrl drops only the credentials', () => {
  assert.equal(redactUrl('http://u:p@127.0.0.1:81/wms?x=1'), 'http://127.0.0.1:81/wms?x=1');
});
