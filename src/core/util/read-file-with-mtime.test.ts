import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileWithMtime } from './read-file-with-mtime.js';

test('readFileWithMtime gives the bytes and mtime of a file, empty or larger than one read', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'read-file-with-mtime-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'ab');
  await writeFile(join(root, 'big'), big);
  await writeFile(join(root, 'empty'), '');
  const read = await readFileWithMtime(join(root, 'big'));
  assert.ok(read.data.equals(big));
  assert.equal(read.mtimeMs, (await stat(join(root, 'big'))).mtimeMs);
  assert.equal((await readFileWithMtime(join(root, 'empty'))).data.length, 0);
});

test('readFileWithMtime rejects a symbolic link with ELOOP and missing files with ENOENT/ENOTDIR', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'read-file-with-mtime-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'target'), 'x');
  await symlink('target', join(root, 'link'));
  await mkdir(join(root, 'dir'));
  await assert.rejects(readFileWithMtime(join(root, 'link')), { code: 'ELOOP' });
  await assert.rejects(readFileWithMtime(join(root, 'missing')), { code: 'ENOENT' });
  await assert.rejects(readFileWithMtime(join(root, 'target', 'below')), { code: 'ENOTDIR' });
  await assert.rejects(readFileWithMtime(join(root, 'dir')), { code: 'EISDIR' });
});
