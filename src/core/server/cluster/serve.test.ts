import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../../../../test/helpers/fixtures.js';
import { ConfigErrors } from '../../config/index.js';
import { checkTarget } from './serve.js';

/** This process's threads (an image thread is one more). */
const threadCount = async (): Promise<number> => (await readdir('/proc/self/task')).length;

/** Whether a package's CommonJS modules have been loaded into this process. */
const loaded = (name: string): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(`/node_modules/${name}/`));

test("serve's check of the target in the primary starts no image thread and loads no HTTP client or server", async () => {
  // a WMS source and caches: what a worker warms up before it listens (nothing is asked of it)
  const threads = await threadCount();
  await checkTarget(join(FIXTURES_DIR, 'config', 'valid.yaml'), false);
  assert.deepEqual(
    { threads: await threadCount(), undici: loaded('undici'), fastify: loaded('fastify') },
    { threads, undici: false, fastify: false },
  );
  // and it still refuses a broken configuration with its own errors
  await assert.rejects(checkTarget(join(FIXTURES_DIR, 'config', 'unknown-ref.yaml'), false), ConfigErrors);
});
