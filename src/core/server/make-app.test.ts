import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeApp } from './index.js';
import type { LoadedApp } from '../app/index.js';

/** A loader whose "configuration" is the file text; text starting with BROKEN fails like a config error. */
async function textLoader(file: string): Promise<LoadedApp> {
  const text = (await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'))).trim();
  if (text.startsWith('BROKEN')) throw new Error('mapproxy.yaml:1:1: YAML syntax error');
  const service = { handle: () => Promise.resolve({ status: 200, contentType: 'text/plain', body: text, cache: { kind: 'none' as const } }) };
  return { app: { routes: { demo: service }, accessControlAllowOrigin: '*', hasDemo: false }, files: [file] };
}

async function touch(file: string, text: string, secondsAhead: number): Promise<void> {
  await writeFile(file, text);
  const time = new Date(Date.now() + secondsAhead * 1000);
  await utimes(file, time, time);
}

test('makeApp mounts in node:http; with reloader an edit shows on the next request, a broken one keeps the old app', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'make-app-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(file, 'first');
  for (const reloader of [false, true]) {
    await touch(file, 'first', 0);
    const application = await makeApp(file, { reloader, loadApp: textLoader });
    const server = createServer(application).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    t.after(() => {
      server.close();
      return application.close();
    });
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/demo/`;
    const body = async () => (await fetch(url)).text();
    assert.equal(await body(), 'first');
    await touch(file, 'second', 5);
    assert.equal(await body(), reloader ? 'second' : 'first', `reloader ${String(reloader)}`);
    await touch(file, 'BROKEN', 10);
    assert.equal(await body(), reloader ? 'second' : 'first', 'a broken edit keeps the last good app');
    assert.deepEqual(application.configFiles(), [file]);
  }
});
