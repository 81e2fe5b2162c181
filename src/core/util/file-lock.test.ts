/** pollFor's wake-ups: change notices end a wait at once, and the watch is closed afterwards. */
import assert from 'node:assert/strict';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { deferred } from '../../../test/helpers/upstream.js';
import { watchDirectory, watchedDirectoryCount } from './directory-watch.js';
import { pollFor, tryLockFile } from './file-lock.js';

/** An hour between attempts: only a notice can end a wait within a test's lifetime. */
const NO_TIMER: readonly [number, number] = [3_600_000, 3_600_000];

/** mkdir as a lock: true once this caller created `path`, null while it exists. */
async function tryMkdir(path: string): Promise<true | null> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
}

/**
 * pollFor on the mkdir lock `dir/name`, woken only by notices about that name (no timer): the
 * attempts so far, resolved once it subscribed, and its result. `afterAttempt` runs after each.
 */
function pollLock(dir: string, name: string, afterAttempt?: (attempt: number) => Promise<void>) {
  const attempts: ('busy' | 'got')[] = [];
  const subscribed = deferred();
  const waiting = pollFor(
    async () => {
      const got = await tryMkdir(join(dir, name));
      attempts.push(got === null ? 'busy' : 'got');
      await afterAttempt?.(attempts.length);
      return got;
    },
    {
      pollMs: NO_TIMER,
      wakeOn: (notify) => {
        const stop = watchDirectory(dir, (entry) => {
          if (entry === name) notify();
        });
        subscribed.resolve();
        return stop;
      },
    },
  );
  return { attempts, subscribed: subscribed.promise, waiting };
}

test('a waiter retries when the held entry is removed, not on its timer', async (t) => {
  const dir = await makeTempDir(t);
  await mkdir(join(dir, 'a.lck'));
  const { attempts, subscribed, waiting } = pollLock(dir, 'a.lck');
  await subscribed;
  assert.equal(watchedDirectoryCount(), 1);
  await rmdir(join(dir, 'a.lck'));
  assert.equal(await waiting, true);
  // the first attempt, the look right after subscribing, and the one the removal woke
  assert.deepEqual(attempts, ['busy', 'busy', 'got']);
  assert.equal(watchedDirectoryCount(), 0);
});

test('notices about other entries do not wake the waiter', async (t) => {
  const dir = await makeTempDir(t);
  await mkdir(join(dir, 'a.lck'));
  const { attempts, subscribed, waiting } = pollLock(dir, 'a.lck');
  await subscribed;
  // the same watcher tells this listener after the waiter's: once it has seen b.lck go, the
  // waiter has seen it too, and one turn of the loop later any retry would have started
  const otherGone = deferred();
  const stop = watchDirectory(dir, (name) => {
    if (name === 'b.lck') otherGone.resolve();
  });
  await mkdir(join(dir, 'b.lck'));
  await rmdir(join(dir, 'b.lck'));
  await otherGone.promise;
  stop?.();
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(attempts, ['busy', 'busy']);
  await rmdir(join(dir, 'a.lck'));
  assert.equal(await waiting, true);
  assert.deepEqual(attempts, ['busy', 'busy', 'got']);
});

test('a lock removed right after a failed attempt is not missed', async (t) => {
  const dir = await makeTempDir(t);
  await mkdir(join(dir, 'a.lck'));
  // the holder lets go right after the second failure, before the wait (its notice may come
  // during either)
  const { attempts, waiting } = pollLock(dir, 'a.lck', async (attempt) => {
    if (attempt === 2) await rmdir(join(dir, 'a.lck'));
  });
  assert.equal(await waiting, true);
  assert.deepEqual(attempts, ['busy', 'busy', 'got']);
});

test('without notices the timer still retries (a directory that cannot be watched)', async (t) => {
  const dir = await makeTempDir(t);
  assert.equal(
    watchDirectory(join(dir, 'missing'), () => undefined),
    null,
  );
  let attempts = 0;
  const result = await pollFor(() => Promise.resolve(++attempts === 3 ? 'done' : null), {
    pollMs: [1, 1],
    wakeOn: () => null,
  });
  assert.equal(result, 'done');
  assert.equal(attempts, 3);
});

test('an abort ends a wait with the signal reason and closes the watch', async (t) => {
  const dir = await makeTempDir(t);
  await mkdir(join(dir, 'a.lck'));
  const controller = new AbortController();
  const waiting = pollFor(() => tryMkdir(join(dir, 'a.lck')), {
    pollMs: NO_TIMER,
    signal: controller.signal,
    wakeOn: (notify) => {
      const stop = watchDirectory(dir, () => {
        notify();
      });
      queueMicrotask(() => {
        controller.abort(new Error('client gone'));
      });
      return stop;
    },
  });
  await assert.rejects(waiting, /client gone/);
  assert.equal(watchedDirectoryCount(), 0);
});

/**
 * The attempts `pollFor` makes in `ms` of mocked time when every attempt fails and no notice
 * comes, subscribed (`watched`) or not (a directory that cannot be watched).
 */
async function attemptsWithin(t: TestContext, ms: number, watched: boolean): Promise<number> {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const controller = new AbortController();
  let attempts = 0;
  const waiting = pollFor(
    () => {
      attempts += 1;
      return Promise.resolve(null);
    },
    { signal: controller.signal, wakeOn: () => (watched ? () => undefined : null) },
  );
  for (let elapsed = 0; elapsed < ms; elapsed += 5) {
    // the attempt's promise and the loop's continuation run before the clock moves on
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    t.mock.timers.tick(5);
  }
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  const made = attempts;
  controller.abort(new Error('done'));
  t.mock.timers.tick(1000);
  await assert.rejects(waiting, /done/);
  return made;
}

test('while subscribed the waits grow to 500 ms; without a watch they stop at 100 ms', async (t) => {
  // the first attempt and the look after subscribing at 0 ms, then after waits of 20, 40, 80, 160
  // and 320 ms (at 20, 60, 140, 300, 620), the next after 500 (at 1120): 7 in the first second
  assert.equal(await attemptsWithin(t, 1000, true), 7);
  t.mock.timers.reset();
  // at 0, after 10, 20, 40 and 80 ms, then every 100 ms (at 10, 30, 70, 150, 250, ..., 950): 1 + 12
  assert.equal(await attemptsWithin(t, 1000, false), 13);
});

test('a lock removed under its holder and taken again here is not released by the first holder', async (t) => {
  const dir = await makeTempDir(t, 'file-lock-retaken-');
  const path = join(dir, 'level', 'bundle.lock');
  const first = await tryLockFile(path, { staleMs: 10_000 });
  assert.ok(first !== null);
  // a cleanup removes the level with the lock in it, and another task of this process locks the
  // same name: proper-lockfile knows both by that name
  await rm(join(dir, 'level'), { recursive: true });
  const second = await tryLockFile(path, { staleMs: 10_000 });
  assert.ok(second !== null);
  await first();
  // it was removed by the first holder's release: a third writer could then lock the bundle too
  assert.ok((await stat(path)).isDirectory(), 'the second holder still holds its lock');
  assert.equal(await tryLockFile(path, { staleMs: 10_000 }), null);
  await second();
  await assert.rejects(stat(path), { code: 'ENOENT' });
});
