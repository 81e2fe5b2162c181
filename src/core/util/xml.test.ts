import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, xml } from './index.js';

test('escapeXml escapes the five XML special characters', () => {
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('xml tag escapes interpolated values but keeps nested fragments', () => {
  const inner = xml`<Name>${'a<b'}</Name>`;
  const doc = xml`<Layer>${inner}${[xml`<T>${'&'}</T>`]}${null}</Layer>`;
  assert.equal(doc.toString(), '<Layer><Name>a&lt;b</Name><T>&amp;</T></Layer>');
});
