/**
 * A WMS group with sources of its own: MapProxy's WMSGroupLayer draws its own sources (`this`) but
 * asks its children whether it is opaque, so a group over an opaque child hides the layers
 * requested before it and draws only its own (generated differential gen-13-06: MapProxy made
 * 1 upstream request where we made 5, and drew a blank map where we drew the hidden layers).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

test('a group with its own sources over an opaque child hides the layers before it, as in MapProxy', async (t) => {
  const answer = (request: UpstreamRequest) =>
    solidPng([255, 0, 0, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);
  const upstream = await startUpstream(t, { '/service': answer });
  const dir = await makeTempDir(t, 'wms-group-opacity-');
  const configFile = join(dir, 'mapproxy.yaml');
  const source = (layers: string, transparent: boolean) =>
    `{type: wms, req: {url: '${upstream.url}/service', layers: ${layers}, transparent: ${String(transparent)}}}`;
  await writeFile(
    configFile,
    `
services:
  wms:
    md: {title: group opacity}
layers:
  - {name: before, title: before, sources: [before]}
  - name: group
    title: group
    sources: [own]
    layers:
      - {name: child, title: child, sources: [opaque]}
sources:
  before: ${source('before', true)}
  own: ${source('own', true)}
  opaque: ${source('opaque', false)}
`,
  );
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const asked: Record<string, string[]> = {};
  for (const layers of ['before,group', 'group,before', 'before,child']) {
    const from = upstream.requests.length;
    const res = await fetch(
      `${server.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${layers}&STYLES=` +
        '&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=TRUE',
    );
    assert.equal(res.headers.get('content-type'), 'image/png', await res.clone().text());
    await res.arrayBuffer();
    asked[layers] = upstream.requests.slice(from).map((request) => request.query.get('layers') ?? '');
  }
  // MapProxy 1.15's upstream requests on this configuration (by hand, a logging upstream)
  assert.deepEqual(asked, {
    'before,group': ['own'],
    'group,before': ['own,before'],
    'before,child': ['opaque'],
  });
});
