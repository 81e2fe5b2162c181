/**
 * Owner records of lock directories through tryLockFile, with real holder processes: the lock of a
 * holder killed with SIGKILL is taken over at once (by one of the waiters finding it together), the
 * lock of a running holder, of another host and of an earlier holder of that name is not.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readlink, rmdir, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childImport } from '../../../test/helpers/dist.js';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { tryLockFile } from './file-lock.js';

const FILE_LOCK = childImport(fileURLToPath(new URL('./file-lock.ts', import.meta.url)));
/** Fresh for an hour: only knowing its holder died lets a waiter in, never the stale rule. */
const STALE_MS = 3_600_000;

/** A process holding the lock `path` (until killed); resolves once it holds it. */
async function startHolder(t: TestContext, path: string) {
  const script = `
    import { tryLockFile } from ${JSON.stringify(pathToFileURL(FILE_LOCK.module).href)};
    const release = await tryLockFile(${JSON.stringify(path)}, { staleMs: ${String(STALE_MS)} });
    process.stdout.write(release === null ? 'busy\\n' : 'locked\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, [...FILE_LOCK.execArgv, '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const exited = once(child, 'exit');
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  assert.equal(line, 'locked');
  return {
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test('the lock of a holder killed with SIGKILL is taken over at once, by one of eight waiters', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'a.lck');
  const holder = await startHolder(t, path);
  assert.equal(await tryLockFile(path, { staleMs: STALE_MS }), null);
  await holder.kill();
  const attempts = await Promise.all(
    Array.from({ length: 8 }, () => tryLockFile(path, { staleMs: STALE_MS })),
  );
  const won = attempts.filter((release) => release !== null);
  assert.equal(won.length, 1);
  // the winner holds the lock now, recorded as its own: no one takes it over
  assert.equal(await tryLockFile(path, { staleMs: STALE_MS }), null);
  await won[0]?.();
  assert.deepEqual(await readdir(dir), []);
});

test('the lock of a running holder is not taken over', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'a.lck');
  await startHolder(t, path);
  assert.equal(await tryLockFile(path, { staleMs: STALE_MS }), null);
});

test('a dead holder of another host (another boot id) is waited for as before', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'a.lck');
  const holder = await startHolder(t, path);
  await holder.kill();
  const record = await readlink(`${path}.owner`);
  const [format, bootId, ...rest] = record.split(' ');
  assert.ok(bootId !== undefined && bootId.length > 0);
  await unlink(`${path}.owner`);
  await symlink([format, '00000000-0000-0000-0000-000000000000', ...rest].join(' '), `${path}.owner`);
  assert.equal(await tryLockFile(path, { staleMs: STALE_MS }), null);
  // and once stale, taken over by the stale rule
  const past = new Date(Date.now() - 60_000);
  await utimes(path, past, past);
  const release = await tryLockFile(path, { staleMs: 2000 });
  assert.notEqual(release, null);
  await release?.();
});

test('the record of an earlier holder does not count for the lock directory there now', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'a.lck');
  const holder = await startHolder(t, path);
  await holder.kill();
  // as after an older version took the lock over by the stale rule: a new directory, the old record
  await rmdir(path);
  await mkdir(path);
  assert.equal(await tryLockFile(path, { staleMs: STALE_MS }), null);
});
