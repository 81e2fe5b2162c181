import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieJar } from './cookie-jar.js';

const at = (url: string): URL => new URL(url);

test('cookies go back to the host that set them, on matching paths, longest path first', () => {
  const jar = new CookieJar();
  jar.store(at('http://a.example/wms/service'), ['root=1; Path=/', 'deep=2; Path=/wms', 'other=3; Path=/tiles']);
  assert.equal(jar.headerFor(at('http://a.example/wms/service?x=1')), 'deep=2; root=1');
  assert.equal(jar.headerFor(at('http://a.example/wmsx')), 'root=1');
  assert.equal(jar.headerFor(at('http://b.example/wms/service')), null);
  assert.equal(jar.headerFor(at('http://sub.a.example/wms')), null, 'host-only without Domain');
});

test('Domain covers subdomains, a foreign Domain is refused, Secure needs https', () => {
  const jar = new CookieJar();
  jar.store(at('http://www.a.example/'), ['d=1; Domain=.a.example', 'evil=1; Domain=b.example', 's=1; Secure']);
  assert.equal(jar.headerFor(at('http://tiles.a.example/')), 'd=1');
  assert.equal(jar.headerFor(at('http://b.example/')), null);
  assert.equal(jar.headerFor(at('https://www.a.example/')), 'd=1; s=1');
});

test('Max-Age and Expires end a cookie; an expiry in the past deletes it', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const jar = new CookieJar({ now: () => now });
  jar.store(at('http://a.example/'), ['short=1; Max-Age=10', 'dated=1; Expires=Thu, 01 Jan 2026 00:01:00 GMT']);
  assert.equal(jar.headerFor(at('http://a.example/')), 'short=1; dated=1');
  now += 11_000;
  assert.equal(jar.headerFor(at('http://a.example/')), 'dated=1');
  jar.store(at('http://a.example/'), ['dated=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
  assert.equal(jar.headerFor(at('http://a.example/')), null);
});
