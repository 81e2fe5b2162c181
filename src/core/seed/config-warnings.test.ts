/**
 * A seed run logs the warnings of both configurations, as mapproxy-seed does (mapproxy.config,
 * then mapproxy.seed.config): we logged none, so a misspelt key in seed.yaml or mapproxy.yaml
 * was ignored in silence by everything but `check`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { configureLogging, onLog, type LogRecord } from '../util/index.js';
import { planSeedRun } from './index.js';

test("a seed run logs mapproxy.yaml's and seed.yaml's warnings at their keys, a seeding coverage's clip too", async (t) => {
  const dir = await makeTempDir(t, 'seed-warnings-');
  const proxyConfigFile = join(dir, 'mapproxy.yaml');
  const seedConfigFile = join(dir, 'seed.yaml');
  await writeFile(
    proxyConfigFile,
    [
      'services: {tms: }',
      'layers: [{name: l, title: l, sources: [c]}]',
      'caches:',
      '  c: {grids: [GLOBAL_WEBMERCATOR], sources: [d], meta_sise: [2, 2]}',
      'sources: {d: {type: debug}}',
      '',
    ].join('\n'),
  );
  await writeFile(
    seedConfigFile,
    [
      'coverages:',
      '  box: {bbox: [0, 0, 10, 10], srs: "EPSG:4326", clip: true}',
      'seeds:',
      '  s: {caches: [c], coverages: [box], levels: [0], refresh_befor: {days: 1}}',
      '',
    ].join('\n'),
  );
  configureLogging({ stdout: false });
  t.after(() => {
    configureLogging();
  });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));

  await planSeedRun({ proxyConfigFile, seedConfigFile });

  const warnings = records
    .filter((r) => r.level === 'warning')
    .map((r) => `${r.name}: ${r.message.replace(dir, '<dir>')}`);
  assert.deepEqual(warnings, [
    "mapproxy.config: <dir>/mapproxy.yaml:4:50 caches.c.meta_sise: unknown key 'meta_sise' (did you mean 'meta_size'?)",
    "mapproxy.seed.config: <dir>/seed.yaml:4:51 seeds.s.refresh_befor: unknown key 'refresh_befor' (did you mean 'refresh_before'?)",
    'mapproxy.seed.config: <dir>/seed.yaml:2:55 coverages.box.clip: is not used: clip acts on source coverages in mapproxy.yaml, never on seeding, in MapProxy too',
  ]);
});
