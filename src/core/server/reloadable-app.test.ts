/** The request-driven reloader (makeApp `reloader`, multiapp) releases replaced apps and, on close, the current one. */
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import type { LoadedApp } from '../app/index.js';
import { loadReloadableApp } from './reloadable-app.js';

test('a reload closes the replaced app, a broken edit closes nothing, close() closes the current one', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(file, 'v0');
  const closed: number[] = [];
  let loads = 0;
  let broken = false;
  const loadApp = (): Promise<LoadedApp> => {
    if (broken) return Promise.reject(new Error('mapproxy.yaml:1:1: broken'));
    const n = loads++;
    return Promise.resolve({
      app: { routes: {}, accessControlAllowOrigin: '', hasDemo: false },
      files: [file],
      close: () => {
        closed.push(n);
        return Promise.resolve();
      },
    });
  };
  const app = await loadReloadableApp(file, loadApp);
  const touch = async (seconds: number): Promise<void> => {
    await utimes(file, seconds, seconds);
  };
  await touch(1000);
  await app.refresh();
  assert.deepEqual(closed, [0]);
  broken = true;
  await touch(2000);
  await app.refresh();
  assert.deepEqual(closed, [0], 'the last good app keeps serving and stays open');
  broken = false;
  await touch(3000);
  await app.refresh();
  assert.deepEqual(closed, [0, 1]);
  await app.close();
  assert.deepEqual(closed, [0, 1, 2]);
});
