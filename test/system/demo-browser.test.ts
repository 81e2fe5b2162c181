/**
 * The demo pages in headless Chromium (Debian's /usr/bin/chromium through playwright-core): the
 * index loads, the TMS and WMTS viewers draw tiles fetched from the in-test WMS, the WMS viewer
 * draws a GetMap, and no page logs a console error. One browser for the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const CHROMIUM = '/usr/bin/chromium';
const COLOR = [40, 160, 90, 255] as const;
const skip = needs('chromium');
/** Every test fails after a minute instead of hanging the suite when Chromium stops answering. */
const options = { skip, timeout: 60_000 };
/**
 * The browser's start and close fail after this instead of at the suite's 300 s: once, in a whole
 * run on a machine at load 26-30, the file hung with no test started.
 */
const HOOK_OPTIONS = { timeout: 90_000 };

let browser: Browser | undefined;

/** Runs in the page (plain JS: the test's tsconfig has no DOM types): pixels equal to `rgba`. */
const COUNT_PIXELS = `(rgba) => {
  let count = 0;
  for (const canvas of document.querySelectorAll('#map canvas')) {
    const ctx = canvas.getContext('2d');
    if (ctx === null || canvas.width === 0 || canvas.height === 0) continue;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === rgba[0] && data[i + 1] === rgba[1] && data[i + 2] === rgba[2] && data[i + 3] === rgba[3]) count++;
    }
  }
  return count;
}`;

before(async () => {
  if (skip !== false) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, HOOK_OPTIONS);

after(async () => {
  await browser?.close();
}, HOOK_OPTIONS);

/** The in-test WMS: every GetMap gets an image of the requested size in COLOR. */
async function startWms(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/service': async (request: UpstreamRequest) =>
      solidPng(COLOR, [Number(request.query.get('width')), Number(request.query.get('height'))]),
  });
}

interface OpenedPage {
  readonly page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  readonly errors: string[];
}

async function openPage(t: TestContext, url: string): Promise<OpenedPage> {
  // a fresh, empty profile per page: chromium.launch runs on a temporary --user-data-dir
  const context = await browser!.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, url);
  return { page, errors };
}

/** Waits for the viewer's first complete render and counts canvas pixels in COLOR. */
async function renderedPixels(page: Page): Promise<number> {
  await page.waitForSelector('html[data-rendered="true"]', { state: 'attached', timeout: 20_000 });
  return page.evaluate<number>(`(${COUNT_PIXELS})(${JSON.stringify(COLOR)})`);
}

async function demoProxy(t: TestContext): Promise<{ proxy: RunningProxy; upstream: Upstream }> {
  const upstream = await startWms(t);
  const proxy = await startProxy(t, 'demo/demo.yaml', { UPSTREAM_URL: upstream.url });
  return { proxy, upstream };
}

test('the demo index lists the layers and services without console errors', options, async (t) => {
  const { proxy } = await demoProxy(t);
  const { page, errors } = await openPage(t, `${proxy.url}/demo/`);
  const headings = await page.locator('h2').allTextContents();
  assert.deepEqual(headings, ['About', 'WMS', 'WMS-C', 'WMTS', 'TMS']);
  assert.equal(await page.locator('a[href="../demo/?tms_layer=osm&format=png&srs=EPSG%3A25832"]').count(), 2);
  assert.equal(await page.locator('a[href="../demo/?wmts_layer=osm&format=png&srs=EPSG%3A3857"]').count(), 2);
  assert.deepEqual(errors, []);
});

for (const viewer of [
  {
    name: 'the TMS viewer draws UTM tiles (proj4 registered) from the cache',
    query: 'tms_layer=osm&format=png&srs=EPSG%3A25832',
    srs: 'EPSG:25832',
  },
  {
    name: 'the WMTS viewer draws web-mercator tiles from the cache',
    query: 'wmts_layer=osm&format=png&srs=EPSG%3A3857',
    srs: 'EPSG:3857',
  },
]) {
  test(viewer.name, options, async (t) => {
    const { proxy, upstream } = await demoProxy(t);
    const { page, errors } = await openPage(t, `${proxy.url}/demo/?${viewer.query}`);
    const pixels = await renderedPixels(page);
    assert.ok(pixels > 10_000, `only ${pixels} pixels in the upstream colour`);
    assert.ok(
      upstream.requests.some((r) => r.query.get('srs') === viewer.srs),
      'tiles came from the upstream',
    );
    assert.deepEqual(errors, []);
  });
}

test('the WMS viewer draws a GetMap', options, async (t) => {
  const { proxy } = await demoProxy(t);
  const { page, errors } = await openPage(
    t,
    `${proxy.url}/demo/?wms_layer=osm&format=image%2Fpng&srs=EPSG%3A3857`,
  );
  const pixels = await renderedPixels(page);
  assert.ok(pixels > 10_000, `only ${pixels} pixels in the upstream colour`);
  assert.deepEqual(errors, []);
});

test('hostile layer and grid names run no script on the index and the viewers', options, async (t) => {
  const proxy = await startProxy(t, 'demo/demo-hostile.yaml');
  const index = await openPage(t, `${proxy.url}/demo/`);
  const href = await index.page.locator('a[href*="tms_layer="]').first().getAttribute('href');
  assert.ok(href !== null);
  for (const url of [`${proxy.url}/demo/`, new URL(href, `${proxy.url}/demo/`).href]) {
    const { page, errors } = url.endsWith('/demo/') ? index : await openPage(t, url);
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined', url);
    // tiles of a name with `/` cannot be addressed (404s are expected); no script may fail or run
    assert.deepEqual(
      errors.filter((e) => e.startsWith('page:')),
      [],
      url,
    );
  }
});
