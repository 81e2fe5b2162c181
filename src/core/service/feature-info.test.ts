/** Feature-info merging; expected strings are what MapProxy 1.15's `combine_docs` returned. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeFeatureInfo } from './feature-info.js';

const doc = (text: string, contentType: string) => ({ data: Buffer.from(text), contentType });

test('XML: the children of later roots join the first root; declaration dropped, non-ASCII as references', () => {
  const merged = mergeFeatureInfo([
    doc(
      '<?xml version="1.0" encoding="UTF-8"?>\n<msGMLOutput>\n <a_layer><x>ä</x></a_layer>\n</msGMLOutput>\n',
      'text/xml',
    ),
    doc('<?xml version="1.0"?><msGMLOutput> <b_layer/>\n</msGMLOutput>', 'text/xml; charset=utf-8'),
  ]);
  assert.equal(
    merged.data.toString(),
    '<msGMLOutput>\n <a_layer><x>&#228;</x></a_layer>\n<b_layer/>\n</msGMLOutput>',
  );
  assert.equal(merged.contentType, 'text/xml');
});

test('XML: a self-closing first root and a GML answer with a doctype-free prolog', () => {
  const merged = mergeFeatureInfo([
    doc('<!-- comment --><r a="1"/>', 'application/vnd.ogc.gml'),
    doc('<r><f id="2"/></r>', 'application/vnd.ogc.gml'),
  ]);
  assert.equal(merged.data.toString(), '<!-- comment --><r a="1"><f id="2"/></r>');
});

test('HTML: the body content of later documents joins the first body', () => {
  const merged = mergeFeatureInfo([
    doc('<html><head><title>t</title></head><body><p>one</p></body></html>', 'text/html'),
    doc('<p>two</p><p>three</p>', 'text/html'),
  ]);
  assert.equal(
    merged.data.toString(),
    '<html><head><title>t</title></head><body><p>one</p><p>two</p><p>three</p></body></html>',
  );
});

test('JSON: objects merged key by key, lists extended, written as Python json.dumps', () => {
  const merged = mergeFeatureInfo([
    doc('{"type":"FeatureCollection","features":[{"id":1}]}', 'application/json'),
    doc('{"type":"FeatureCollection","features":[{"id":2}]}', 'application/json'),
  ]);
  assert.equal(merged.data.toString(), '{"type": "FeatureCollection", "features": [{"id": 1}, {"id": 2}]}');
});

test('different types, or text, are joined line by line as they came', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<msGMLOutput>\n <a_layer><x>ä</x></a_layer>\n</msGMLOutput>\n';
  const mixed = mergeFeatureInfo([doc('one', 'text/plain'), doc(xml, 'text/xml')]);
  assert.equal(mixed.data.toString(), `one\n${xml}`);
  assert.equal(mixed.contentType, 'text/plain');
  assert.equal(mergeFeatureInfo([doc('a', 'text/plain'), doc('b', 'text/plain')]).data.toString(), 'a\nb');
});

test('one answer passes unchanged; a broken XML answer is joined as text rather than lost', () => {
  const only = doc('<x/>', 'text/xml');
  assert.equal(mergeFeatureInfo([only]), only);
  const broken = mergeFeatureInfo([doc('not xml', 'text/xml'), doc('<r/>', 'text/xml')]);
  assert.equal(broken.data.toString(), 'not xml\n<r/>');
});
