/**
 * A cleanup removing whole levels while a server or another seed keeps storing tiles into them
 * (the nightly cleanup next to production): the levels go without an error, as MapProxy's
 * `shutil.rmtree(level_dir, ignore_errors=True)`; what was stored after the removal began may stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { CompactCache, FileCache, type TileCache } from '../cache/index.js';
import type { TileCoord } from '../grid/index.js';
import { cleanupDirectory } from './cleanup-directory.js';

const ROUNDS = 5;
/** Removals at most: a writer that never gets through fails the test instead of hanging it. */
const MAX_ROUNDS = 100;
// a few directories: the race is the same, the removals are shorter
const tileAt = (i: number): TileCoord => ({ x: i % 2, y: (i * 7) % 8, z: 5 });

/**
 * Runs `removeLevel` at least ROUNDS times, each after storing a tile of level 5, while a writer
 * stores tiles of level 5 in a loop, one after the other: the race is on every round. The removals
 * go on until the writer has tried more than ROUNDS tiles (at most MAX_ROUNDS): in memory (tmpfs)
 * five removals could end before the writer's sixth store began (1 run in 6 on /dev/shm).
 */
async function removeWhileWriting(
  cache: TileCache,
  removeLevel: () => Promise<unknown>,
): Promise<{ readonly stored: number; readonly rounds: number }> {
  // an object: TypeScript does not see the finally block end the loop
  const state = { isDone: false };
  let stored = 0;
  const writer = (async () => {
    while (!state.isDone) {
      // a tile whose directory goes while it is written is not stored, and the writer says so
      // (a server logs it, a seed retries it): not what this test looks at
      await cache.storeTiles([{ coord: tileAt(stored), data: Buffer.from('tile') }]).catch(() => undefined);
      stored += 1;
    }
  })();
  let rounds = 0;
  try {
    while (rounds < MAX_ROUNDS && (rounds < ROUNDS || stored <= ROUNDS)) {
      await cache.storeTiles([{ coord: { x: 1, y: 1, z: 5 }, data: Buffer.from('tile') }]);
      await removeLevel();
      rounds += 1;
    }
  } finally {
    state.isDone = true;
    await writer;
  }
  return { stored, rounds };
}

test('a file cache level removed while a writer stores tiles into it goes without an error', async (t) => {
  const cache = new FileCache({ directory: await makeTempDir(t, 'cleanup-race-'), extension: 'png' });
  const level = cache.levelDirectory(5);
  assert.ok(level !== null);
  const counts: number[] = [];
  const { stored, rounds } = await removeWhileWriting(cache, async () => {
    counts.push(await cleanupDirectory(level, 0, false));
  });
  assert.ok(stored > ROUNDS, `the writer stored ${String(stored)} tiles`);
  assert.ok(rounds >= ROUNDS);
  // each removal counts at least the tile stored before it
  assert.equal(counts.filter((n) => n >= 1).length, rounds);
});

for (const version of [1, 2] as const) {
  test(`a compact v${String(version)} level removed while a writer stores tiles into it goes without an error`, async (t) => {
    const cache = new CompactCache({ directory: await makeTempDir(t, 'cleanup-race-'), version });
    const { stored } = await removeWhileWriting(cache, () => cache.removeLevelTilesBefore(5, 0));
    assert.ok(stored > ROUNDS, `the writer stored ${String(stored)} tiles`);
  });
}
