/**
 * MultiMapProxy over real sockets: DIR/name.yaml under /name/, listing, loading on first use,
 * reload after an edit, isolation of a broken project, and no way out of DIR.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startMultiAppServer } from '../../src/core/index.js';
import { onLog } from '../../src/core/util/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

const PROJECT = join(FIXTURES_DIR, 'deploy', 'mapproxy.yaml');

/** A projects directory (inside a parent that also holds a config) with the given projects. */
async function projects(t: TestContext, names: readonly string[]): Promise<string> {
  const parent = await makeTempDir(t);
  await copyFile(PROJECT, join(parent, 'outside.yaml'));
  const dir = join(parent, 'conf');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  for (const name of names) await copyFile(PROJECT, join(dir, `${name}.yaml`));
  return dir;
}

async function serveDir(t: TestContext, dir: string, allowListing: boolean): Promise<string> {
  const server = await startMultiAppServer({
    configDir: dir,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    allowListing,
  });
  t.after(() => server.close());
  return server.url;
}

/** GET with the path sent byte for byte (fetch would normalise `..` away). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', reject);
    req.end();
  });
}

test('the root lists the projects only when listing is allowed', async (t) => {
  const dir = await projects(t, ['proj1', 'proj2']);
  await writeFile(join(dir, 'notes.txt'), 'not a project');
  const listed = await (await fetch(`${await serveDir(t, dir, true)}/`)).text();
  assert.match(listed, /<h2>available instances:<\/h2>/);
  assert.match(listed, /<li><a href="http:\/\/127\.0\.0\.1:\d+\/proj1\/">proj1<\/a><\/li>\n<li><a href="http:\/\/127\.0\.0\.1:\d+\/proj2\/">proj2<\/a><\/li>/);
  assert.doesNotMatch(listed, /notes/);
  const unlisted = await (await fetch(`${await serveDir(t, dir, false)}/`)).text();
  assert.match(unlisted, /^<html><body><h1>Welcome to MapProxy/);
  assert.doesNotMatch(unlisted, /proj1/);
});

test('a project is loaded on its first request and serves under its name, composed with X-Script-Name', async (t) => {
  const dir = await projects(t, ['proj1', 'proj2']);
  const url = await serveDir(t, dir, true);
  const loaded: string[] = [];
  const off = onLog((record) => {
    const name = /^initializing project app (\S+)/.exec(record.message)?.[1];
    if (name !== undefined) loaded.push(name);
  });
  t.after(off);
  assert.deepEqual(loaded, [], 'nothing is loaded at start');
  const res = await fetch(`${url}/proj1/tms/1.0.0/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /href="http:\/\/127\.0\.0\.1:\d+\/proj1\/tms\/1\.0\.0\/debug\/EPSG3857"/);
  await fetch(`${url}/proj1/tms/1.0.0/`);
  assert.deepEqual(loaded, ['proj1'], 'loaded once, proj2 not at all');

  const proxied = await fetch(`${url}/mapproxy/proj1/wmts/1.0.0/WMTSCapabilities.xml`, {
    headers: { 'X-Script-Name': '/mapproxy', 'X-Forwarded-Host': 'example.org' },
  });
  assert.equal(proxied.status, 200);
  assert.match(await proxied.text(), /template="http:\/\/example\.org\/mapproxy\/proj1\/wmts\/debug\//);
});

test('an edited project is reloaded on its next request; a broken one does not affect the others', async (t) => {
  const dir = await projects(t, ['proj1', 'proj2']);
  await writeFile(join(dir, 'broken.yaml'), 'services: [\n');
  const url = await serveDir(t, dir, true);
  const title = async (): Promise<string> =>
    /<TileMap [^>]*title="([^"]*)"/.exec(await (await fetch(`${url}/proj1/tms/1.0.0/`)).text())?.[1] ?? '';
  assert.equal(await title(), 'Debug tiles');

  const file = join(dir, 'proj1.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('title: Debug tiles', 'title: Edited'));
  const later = new Date(Date.now() + 5000);
  await utimes(file, later, later);
  assert.equal(await title(), 'Edited');

  assert.equal((await fetch(`${url}/broken/tms/1.0.0/`)).status, 500);
  assert.equal((await fetch(`${url}/proj2/tms/1.0.0/`)).status, 200);

  // a broken edit keeps the last good configuration
  await writeFile(file, 'layers: [\n');
  const latest = new Date(Date.now() + 10_000);
  await utimes(file, latest, latest);
  assert.equal(await title(), 'Edited');
});

test('unknown names and attempts to leave the directory get 404', async (t) => {
  const dir = await projects(t, ['proj1']);
  const url = await serveDir(t, dir, true);
  for (const path of [
    '/nothere/tms/1.0.0/',
    '/../outside/tms/1.0.0/',
    '/..%2Foutside/tms/1.0.0/',
    '/%2e%2e%2foutside/tms/1.0.0/',
    '/proj1%2F..%2F..%2Foutside/tms/1.0.0/',
    '/..%5coutside/tms/1.0.0/',
    '/.%2e/outside/tms/1.0.0/',
    '/%2Fetc%2Fpasswd/',
    '/proj1.yaml/',
  ]) {
    const res = await rawGet(url, path);
    assert.equal(res.status, 404, path);
    assert.equal(res.body, 'not found', path);
  }
  assert.equal((await rawGet(url, '/proj1/tms/1.0.0/')).status, 200);
});
