import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureDirectory } from './make-directory.js';

test('ensureDirectory creates missing parents, each with dirMode despite the umask; concurrent calls agree', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'make-directory-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const deep = join(root, 'a', 'b', 'c');
  await Promise.all([
    ensureDirectory(deep, 0o777),
    ensureDirectory(deep, 0o777),
    ensureDirectory(join(root, 'a', 'b'), 0o777),
  ]);
  for (const dir of [join(root, 'a'), join(root, 'a', 'b'), deep]) {
    assert.equal((await stat(dir)).mode & 0o777, 0o777, dir);
  }
  await ensureDirectory(deep); // an existing directory is fine
  await writeFile(join(root, 'file'), '');
  await assert.rejects(ensureDirectory(join(root, 'file', 'x')), { code: 'ENOTDIR' });
});

test(
  'ensureDirectory rejects under /proc, where mkdir -p of Node 20 never returns',
  { skip: process.platform !== 'linux' },
  async () => {
    await assert.rejects(ensureDirectory('/proc/no-such-process/x'), { code: 'ENOENT' });
  },
);
