/**
 * The seed CLI killed with SIGKILL mid-run, then run again with `--continue`: the cache ends
 * complete, every tile decodes, no meta tile stored before the kill is requested again, and the
 * one the killed run held the lock of is created without waiting for the lock to go stale.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import sharp from 'sharp';
import { CLI_ARGV, runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { deferred, solidPng, type UpstreamRequest, startUpstream } from '../helpers/upstream.js';

/**
 * The seed "world" of test/fixtures/seed (MapProxy's capture) cut to levels 0-3: its tile files
 * there, and its 4x4 meta tiles there (1 + 1 + 1 + 4 of the capture's 23 on levels 0-4).
 */
const WORLD = {
  files: (
    JSON.parse(await readFile(join(FIXTURES_DIR, 'seed/mapproxy-1.15.json'), 'utf8')) as {
      seeds: { world: { files: string[] } };
    }
  ).seeds.world.files.filter((file) => Number(file.split('/')[1]) <= 3),
  requests: 7,
};

async function tileFiles(dir: string): Promise<string[]> {
  const base = join(dir, 'cache_data');
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && !e.name.includes('.tmp-'))
    .map((e) => join(e.parentPath, e.name).slice(base.length + 1))
    .filter((p) => !p.startsWith('tile_locks'))
    .sort();
}

// the timeout: before dead holders were known, --continue waited on the killed run's lock for good
test('SIGKILL mid-seed, then --continue finishes without recreating stored meta tiles', { timeout: 60_000 }, async (t) => {
  const answered = 5;
  const hangReached = deferred();
  let serving = true;
  const upstream = await startUpstream(t, {
    '/service': (request: UpstreamRequest) => {
      // the first run gets `answered` meta tiles, then hangs on the next one until it is killed
      if (serving && upstream.requests.length > answered) {
        hangReached.resolve();
        return { hang: true };
      }
      return solidPng([10, 120, 200, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);
    },
  });
  const dir = await makeTempDir(t, 'seed-continue-');
  await writeFile(join(dir, 'seed.yaml'), 'seeds:\n  world:\n    caches: [world_cache]\n    levels:\n      to: 3\n');
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', upstream.url));
  const args = ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'world', '-c', '1', '--continue', '--progress-file', 'progress.json'];

  // 1. first run: killed while it waits for meta tile answered+1, once the earlier ones are stored
  //    (-c 1 asks for the next meta tile while the last one is stored). The walk takes the deeper
  //    levels first: the answered five are levels 3 and 2
  const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
    cwd: dir,
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  await hangReached.promise;
  const storedBeforeKill = WORLD.files.filter((file) => Number(file.split('/')[1]) >= 2).length;
  while ((await tileFiles(dir)).length < storedBeforeKill) await delay(20);
  child.kill('SIGKILL');
  await exited;
  serving = false;
  const firstRun = upstream.requests.length;
  assert.equal(firstRun, answered + 1);
  await access(join(dir, 'progress.json'));
  const afterKill = await tileFiles(dir);
  assert.ok(afterKill.length > 0 && afterKill.length < WORLD.files.length, `${afterKill.length} tiles after kill`);
  // the killed run's locks (the meta tile it waited for, and the next one it had begun) are still
  // there; made fresh for the next hour, so only knowing their holder died (not the 10 s stale
  // rule) lets --continue create those meta tiles
  const lockDir = join(dir, 'cache_data', 'tile_locks');
  const locks = (await readdir(lockDir)).filter((entry) => entry.endsWith('.lck'));
  assert.ok(locks.length > 0);
  const hourAhead = new Date(Date.now() + 3_600_000);
  for (const lock of locks) await utimes(join(lockDir, lock), hourAhead, hourAhead);

  // 2. --continue (in this process): only the missing meta tiles are requested
  const result = await runCommand(args, { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(upstream.requests.length - firstRun, WORLD.requests - answered);
  assert.deepEqual(await tileFiles(dir), WORLD.files);
  for (const file of await tileFiles(dir)) {
    const meta = await sharp(join(dir, 'cache_data', file)).metadata();
    assert.equal(meta.format, 'png', file);
  }
  // a finished run removes its progress file, as MapProxy does
  await assert.rejects(access(join(dir, 'progress.json')), { code: 'ENOENT' });
});
