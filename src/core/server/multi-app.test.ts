/** The multiapp releases the caches of a project it drops from its LRU, and of all projects on close. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import type { LoadedApp } from '../app/index.js';
import { multiAppHandler } from './multi-app.js';

test('a project dropped from the LRU and every project on close have their caches closed', async (t) => {
  const dir = await makeTempDir(t);
  for (const name of ['a', 'b']) await writeFile(join(dir, `${name}.yaml`), name);
  const closed: string[] = [];
  const loadApp = (file: string): Promise<LoadedApp> =>
    Promise.resolve({
      app: { routes: {}, accessControlAllowOrigin: '', hasDemo: false },
      files: [file],
      close: () => {
        closed.push(basename(file));
        return Promise.resolve();
      },
    });
  const handler = multiAppHandler(dir, { maxApps: 1, loadApp });
  const get = (path: string) =>
    handler({ method: 'GET', url: path, headers: {}, scheme: 'http', serverAddress: 'localhost' });
  assert.equal((await get('/a/')).status, 200);
  assert.deepEqual(closed, []);
  assert.equal((await get('/b/')).status, 200);
  assert.deepEqual(closed, ['a.yaml'], 'a is dropped when b makes two');
  await handler.close();
  assert.deepEqual(closed, ['a.yaml', 'b.yaml']);
});
