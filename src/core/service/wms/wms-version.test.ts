import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateVersion, WMS_VERSIONS } from './wms-version.js';

test('version negotiation follows MapProxy negotiate_version', () => {
  const cases: [string | undefined, readonly ('1.0.0' | '1.1.0' | '1.1.1' | '1.3.0')[], string][] = [
    [undefined, WMS_VERSIONS, '1.3.0'],
    ['0.9.0', WMS_VERSIONS, '1.0.0'],
    ['2.0.0', WMS_VERSIONS, '1.3.0'],
    ['1.1.1', WMS_VERSIONS, '1.1.1'],
    ['1.2.0', WMS_VERSIONS, '1.1.1'],
    ['1.1.0', ['1.0.0'], '1.0.0'],
    ['1.3.0', ['1.1.0', '1.1.1'], '1.1.1'],
  ];
  for (const [requested, supported, expected] of cases) {
    assert.equal(
      negotiateVersion(requested, supported),
      expected,
      `${requested ?? 'none'} of ${supported.join(',')}`,
    );
  }
});
