/**
 * Issue 15: WMS legends as MapProxy 1.15 draws them, on its own `legendgraphic.yaml` fixture and on
 * `legends-extra.yaml`: the upstream GetLegendGraphic requests (one per layer of `req.layers`, in
 * MapProxy's parameter order), the LegendURL sizes of every capabilities version, the legend images
 * (the first source at the bottom, RGBA legends blended in, paletted or not), the legend cache in
 * `<base_dir>/legends` (file names, reuse after a restart) and the errors. Everything expected was
 * captured from MapProxy 1.15 by `test/fixtures/legends/capture.py` against the same upstream.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { imageDiff } from '../fixtures/wms/kit.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'legends');

interface Step {
  readonly name: string;
  readonly query: string;
  readonly status: number;
  readonly contentType: string;
  /** Upstream paths with query, as MapProxy sent them during this step. */
  readonly upstream: readonly string[];
  readonly image?: string;
  readonly body?: string;
}

interface Capture {
  readonly steps: readonly Step[];
  /** File names in `cache_data/legends` after the steps. */
  readonly legendCache: readonly string[];
  readonly upstreamUrl: string;
}

const CAPTURES = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<string, Capture>;

/** The capture's legend sizes (as in capture.py); any other layer is an unexpected request. */
const LEGEND_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  foo: [40, 20],
  bar: [30, 50],
  spam: [60, 25],
  'staticlegend_source.png': [45, 64],
  'staticlegend_layer.png': [70, 35],
  alpha: [20, 10],
  beta: [25, 15],
  gamma: [35, 12],
  delta: [15, 15],
  epsilon: [22, 18],
};

/** A solid legend of `name`'s size in md5(name)[:3] (alpha 200 for GetLegendGraphic, opaque for a static URL). */
async function legendPng(name: string, alpha: number): Promise<Buffer> {
  const size = LEGEND_SIZES[name];
  assert.ok(size !== undefined, `no legend for ${name}`);
  const [r = 0, g = 0, b = 0] = createHash('md5').update(name).digest();
  return sharp({
    create: { width: size[0], height: size[1], channels: 4, background: { r, g, b, alpha: alpha / 255 } },
  })
    .png()
    .toBuffer();
}

async function answerLegend(request: UpstreamRequest): Promise<Buffer> {
  if (request.pathname.endsWith('.png')) return legendPng(request.pathname.slice(1), 255);
  const layer = [...request.query].find(([key]) => key.toLowerCase() === 'layer')?.[1] ?? '';
  return legendPng(layer, 200);
}

async function legendUpstream(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/service': answerLegend,
    '/wms13': answerLegend,
    '/staticlegend_source.png': answerLegend,
    '/staticlegend_layer.png': answerLegend,
  });
}

/** `layer → WxH` of every LegendURL, `layer → href` of every 1.0.0 StyleURL (host removed). */
function legendFacts(doc: string): string[] {
  const facts: string[] = [];
  for (const layer of doc.split(/<Layer[ >]/).slice(1)) {
    const name = /^[^<]*<Name>([^<]*)<\/Name>/.exec(layer)?.[1];
    const own = layer.split(/<Layer[ >]/)[0] ?? '';
    const size = /<LegendURL width="(\d+)" height="(\d+)">/.exec(own);
    const href = /(?:xlink:href="|<StyleURL>)http:\/\/[^/]+(\/[^"<]*GetLegendGraphic[^"<]*)/.exec(own)?.[1];
    if (size || href)
      facts.push(`${name ?? '(unnamed)'} ${size ? `${size[1]}x${size[2]}` : '-'} ${href ?? '-'}`);
  }
  return facts;
}

/** What MapProxy does differently on purpose (docs/differences.md), by capture and step. */
const DIFFERENT: Readonly<Record<string, string>> = {
  // MapProxy's first answer of a stacked legend blends it twice (from memory, before the legend
  // cache has its PNG); every later answer is the stored one, which is what we always give
  'legendgraphic.yaml mult-fresh': 'image of step mult',
  // MapProxy: internal error (WMSGroupLayer has no legend()); we give the group's own legend
  'legends-extra.yaml group': 'own legend',
};

for (const [config, capture] of Object.entries(CAPTURES)) {
  test(`${config}: legends, LegendURLs and the legend cache as MapProxy 1.15 has them`, async (t) => {
    const upstream = await legendUpstream(t);
    const proxy = await startProxy(t, `legends/${config}`, { UPSTREAM_URL: upstream.url });
    for (const step of capture.steps) {
      const label = `${config} ${step.name}`;
      const before = upstream.requests.length;
      const res = await fetch(`${proxy.url}/service?${step.query}`);
      const body = Buffer.from(await res.arrayBuffer());
      const sent = upstream.requests.slice(before).map((r) => r.path);
      // the order of the requests within a step is not part of the contract
      assert.deepEqual([...sent].sort(), [...step.upstream].sort(), `${label}: upstream requests`);
      if (DIFFERENT[label] === 'own legend') {
        assert.equal(res.status, 200, label);
        const { width, height } = await sharp(body).metadata();
        assert.deepEqual([width, height], [25, 25], `${label}: the styled source's alpha over beta`);
        continue;
      }
      assert.equal(res.status, step.status, label);
      assert.equal(res.headers.get('content-type'), step.contentType, label);
      if (step.image !== undefined) {
        const imageOf = DIFFERENT[label] === 'image of step mult' ? 'legendgraphic-mult.bin' : step.image;
        const diff = await imageDiff(await readFile(join(DIR, imageOf)), body);
        assert.ok(diff.max <= 4 && diff.mean <= 1, `${label} differs from MapProxy: ${JSON.stringify(diff)}`);
      } else if (step.name.startsWith('caps')) {
        assert.deepEqual(legendFacts(body.toString()), legendFacts(step.body ?? ''), label);
        assert.ok(legendFacts(body.toString()).length > 0, label);
      } else {
        const text = (doc: string) => /<ServiceException[^>]*>[^<]*<\/ServiceException>/.exec(doc)?.[0];
        assert.equal(text(body.toString()), text(step.body ?? ''), label);
      }
    }
    // the legend cache: MapProxy's file names (md5 of URL, layer and scale) for our upstream URL
    const names = await readdir(join(proxy.dir, 'cache_data', 'legends'));
    assert.equal(names.length, capture.legendCache.length);
    assert.deepEqual([...names].sort(), expectedCacheNames(config, upstream.url).sort());
    assert.deepEqual(expectedCacheNames(config, capture.upstreamUrl).sort(), [...capture.legendCache].sort());
  });
}

/** The legend identifiers (MapProxy `legend_identifier`) and scales of what each capture stores. */
function expectedCacheNames(config: string, url: string): string[] {
  const entries: [string, string][] =
    config === 'legendgraphic.yaml'
      ? [
          [`${url}/servicefoo${url}/servicebar`, 'None'],
          [`${url}/servicefoo${url}/servicebar`, '5000.0'],
          [`${url}/servicespam`, 'None'],
          [`${url}/staticlegend_source.png`, 'None'],
          [`${url}/staticlegend_layer.png`, 'None'],
        ]
      : [
          [`${url}/wms13?map=/srv/a.mapalpha${url}/wms13?map=/srv/a.mapbeta`, 'None'],
          [`${url}/wms13?map=/srv/a.mapalpha${url}/wms13?map=/srv/a.mapbeta`, '1000.0'],
          [`${url}/servicegamma`, 'None'],
          [`${url}/servicedelta${url}/serviceepsilon`, 'None'],
        ];
  return entries.map(
    ([id, scale]) =>
      `${createHash('md5')
        .update(id + scale)
        .digest('hex')}.png`,
  );
}

test('stored legends are served after a restart without asking the upstream', async (t) => {
  const upstream = await legendUpstream(t);
  const proxy = await startProxy(t, 'legends/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const query = 'SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.1.1&FORMAT=image%2Fpng&LAYER=wms_legend';
  const first = Buffer.from(await (await fetch(`${proxy.url}/service?${query}`)).arrayBuffer());
  assert.equal(upstream.requests.length, 2); // foo and bar
  await proxy.server.close();
  const again = await startServer({
    configFile: proxy.configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => again.close());
  const res = await fetch(`${again.url}/service?${query}`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), first);
  assert.equal(upstream.requests.length, 2);
});

test('a failing legend client leaves its legend out and nothing is stored', async (t) => {
  const upstream = await startUpstream(t, {
    '/service': (request) =>
      request.query.get('layer') === 'bar' ? { status: 500, body: 'down' } : answerLegend(request),
  });
  const proxy = await startProxy(t, 'legends/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const query = 'SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.1.1&FORMAT=image%2Fpng&LAYER=wms_legend';
  for (const attempt of [1, 2]) {
    const res = await fetch(`${proxy.url}/service?${query}`);
    assert.equal(res.status, 200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [40, 20], `attempt ${attempt}: foo alone`);
  }
  assert.equal(upstream.count('/service'), 4); // asked again: the incomplete legend was not stored
  await assert.rejects(readdir(join(proxy.dir, 'cache_data', 'legends')), { code: 'ENOENT' });
});

test('a layer legendurl file:// with a relative path is read next to the configuration and stored', async (t) => {
  const upstream = await legendUpstream(t);
  const proxy = await startProxy(t, 'legends/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  // MapProxy: `file://` + a relative path is made absolute against the configuration's directory
  const config = await readFile(proxy.configFile, 'utf8');
  const legend = await legendPng('staticlegend_layer.png', 255);
  await writeFile(join(proxy.dir, 'own-legend.png'), legend);
  await writeFile(
    proxy.configFile,
    config.replace(`legendurl: ${upstream.url}/staticlegend_layer.png`, 'legendurl: file://own-legend.png'),
  );
  const again = await startServer({
    configFile: proxy.configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => again.close());
  const res = await fetch(
    `${again.url}/service?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.1.1&FORMAT=image%2Fpng&LAYER=wms_layer_static_url`,
  );
  assert.equal(res.status, 200);
  const diff = await imageDiff(legend, Buffer.from(await res.arrayBuffer()));
  assert.equal(diff.max, 0);
  assert.equal(upstream.requests.length, 0);
  const identifier = `file://${join(proxy.dir, 'own-legend.png')}`;
  assert.deepEqual(await readdir(join(proxy.dir, 'cache_data', 'legends')), [
    `${createHash('md5').update(`${identifier}None`).digest('hex')}.png`,
  ]);
});
