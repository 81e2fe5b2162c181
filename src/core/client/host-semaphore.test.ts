/** The `concurrent_requests` semaphore: in-process queue plus slot lock files in `lock_dir`. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, readdir, rmdir, stat, utimes } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { acquireHostSlot, hostSlotUsage } from './host-semaphore.js';
import { watchedDirectoryCount } from '../util/index.js';
import { acquireSlotFile, slotFilePrefix } from './host-slot-files.js';
import { httpGet } from './http-client.js';

/** The slots in `lockDir`, without the owner records (`<slot>.owner`) their holders write beside them. */
async function slotFiles(lockDir: string): Promise<string[]> {
  return (await readdir(lockDir)).filter((entry) => !entry.endsWith('.owner'));
}

test('a third caller waits until one of two slots is released', async () => {
  const first = await acquireHostSlot('h:1', 2);
  const second = await acquireHostSlot('h:1', 2);
  let thirdAcquired = false;
  const third = acquireHostSlot('h:1', 2).then((release) => {
    thirdAcquired = true;
    return release;
  });
  await Promise.resolve();
  assert.equal(thirdAcquired, false);
  await first();
  const releaseThird = await third;
  assert.equal(thirdAcquired, true);
  // another host is independent
  await (
    await acquireHostSlot('h:2', 1)
  )();
  await second();
  await releaseThird();
});

test('an aborted waiter gives up without taking a slot', async () => {
  const held = await acquireHostSlot('h:3', 1);
  const controller = new AbortController();
  const waiting = acquireHostSlot('h:3', 1, { signal: controller.signal });
  controller.abort(new Error('gave up'));
  await assert.rejects(waiting, { message: 'gave up' });
  await held();
  const next = await acquireHostSlot('h:3', 1);
  await next();
});

test('with lock_dir, waiters get the slot in arrival order and each holds a slot file', async (t) => {
  const lockDir = `${await makeTempDir(t)}/locks`; // created on first use, as MapProxy does
  const prefix = slotFilePrefix(lockDir, 'order:80');
  const order: number[] = [];
  const first = await acquireHostSlot('order:80', 1, { lockDir });
  assert.deepEqual(await slotFiles(lockDir), [`${basename(prefix)}0`]);
  const waiters = [1, 2, 3].map((n) =>
    acquireHostSlot('order:80', 1, { lockDir }).then(async (release) => {
      order.push(n);
      assert.equal((await slotFiles(lockDir)).length, 1, 'one slot file while one request runs');
      await release();
    }),
  );
  assert.deepEqual(hostSlotUsage('order:80'), { inFlight: 1, waiting: 3 });
  await first();
  await Promise.all(waiters);
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(await readdir(lockDir), [], 'slot files removed on release');
});

test('slot files are md5(host:port).lck0 … lck<limit-1>, one per holder', async (t) => {
  const lockDir = await makeTempDir(t);
  const releases = await Promise.all([1, 2].map(() => acquireHostSlot('example.org:8080', 2, { lockDir })));
  // md5('example.org:8080'), as MapProxy's `hashlib.md5(url.netloc)` (python3 -c ...)
  assert.deepEqual((await slotFiles(lockDir)).sort(), [
    '851c11cb64a3122868bb61b46f70d871.lck0',
    '851c11cb64a3122868bb61b46f70d871.lck1',
  ]);
  for (const release of releases) await release();
});

test('a slot held by another process blocks until it is freed; a stale one is taken over', async (t) => {
  const lockDir = await makeTempDir(t);
  const foreign = `${slotFilePrefix(lockDir, 'busy:80')}0`;
  await mkdir(foreign); // another process holds the only slot
  await assert.rejects(acquireHostSlot('busy:80', 1, { lockDir, signal: AbortSignal.timeout(100) }), {
    name: 'TimeoutError',
  });
  assert.deepEqual(hostSlotUsage('busy:80'), { inFlight: 0, waiting: 0 }, 'the local slot was given back');

  // the other process finishes its request while we poll
  const waiting = acquireHostSlot('busy:80', 1, { lockDir, signal: AbortSignal.timeout(5000) });
  await rmdir(foreign);
  await (
    await waiting
  )();
  await mkdir(foreign);

  // the holder was killed: its slot stopped being refreshed a minute ago
  const past = new Date(Date.now() - 60_000);
  await utimes(foreign, past, past);
  const release = await acquireHostSlot('busy:80', 1, { lockDir, signal: AbortSignal.timeout(5000) });
  assert.ok((await stat(foreign)).mtimeMs > past.getTime(), 'the stale slot file is ours now');
  await release();
  assert.deepEqual(await readdir(lockDir), []);
});

test('a slot freed by another process on this host is taken at once, not at the next poll', async (t) => {
  const lockDir = await makeTempDir(t);
  const foreign = `${slotFilePrefix(lockDir, 'handover:80')}0`;
  await mkdir(foreign); // another serve worker holds the only slot
  // an hour between polls: only the lock dir's change notice can hand the slot over in time (the
  // signal fails the test instead of letting it wait that hour)
  const signal = AbortSignal.timeout(20_000);
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const waiting = acquireSlotFile(lockDir, 'handover:80', 1, signal, [3_600_000, 3_600_000]);
  // free the slot once the waiter sleeps (its hour-long poll timer exists; it watches the lock dir
  // from its first failed attempt on): counted over turns of the event loop, nothing waits on a clock
  while (timers() === before) await new Promise<void>((resolve) => setImmediate(resolve));
  await rmdir(foreign);
  const release = await waiting;
  assert.deepEqual(await slotFiles(lockDir), [basename(foreign)], 'the waiter holds the slot now');
  await release();
  assert.equal(watchedDirectoryCount(), 0, 'the watch ends with the wait');
});

test('httpGet gives the slot back when the upstream fails, and times out waiting for a busy slot', async (t) => {
  const lockDir = await makeTempDir(t);
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(500).end('broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const options = { concurrentRequests: 1, concurrentRequestsLockDir: lockDir, timeoutMs: 200 };

  // the failing requests get time to be answered on a loaded machine (at 200 ms one timed out
  // under a full suite run at load 16); only the wait for a busy slot below is cut short
  for (let i = 0; i < 3; i++) {
    await assert.rejects(httpGet(`http://${host}/map`, { ...options, timeoutMs: 10_000 }), {
      code: 'UPSTREAM_STATUS',
    });
  }
  assert.equal(requests, 3, 'each request got the single slot after the failed one');
  assert.deepEqual(await readdir(lockDir), []);
  assert.deepEqual(hostSlotUsage(host), { inFlight: 0, waiting: 0 });

  await mkdir(`${slotFilePrefix(lockDir, host)}0`);
  await assert.rejects(httpGet(`http://${host}/map`, options), { code: 'UPSTREAM_TIMEOUT' });
  assert.equal(requests, 3, 'no request without a slot');
});
