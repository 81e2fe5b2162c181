import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../config/index.js';
import { resolveDatumGrids } from '../srs/datum-grids.js';
import { configureLogging, onLog, type LogRecord } from '../util/index.js';
import { buildProxy } from './build-proxy.js';
import { checkConfiguration } from './check.js';

/** Debian's proj-data (installed by .ci/run) ships this NTv2 grid. */
const SYSTEM_GRID = '/usr/share/proj/BETA2007.gsb';

async function configDir(t: TestContext, projDataDir: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proj-data-dir-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines = [
    'services:',
    '  demo:',
    '  tms:',
    'globals:',
    '  srs:',
    `    proj_data_dir: ${projDataDir}`,
    'layers:',
    '  - name: d',
    '    title: d',
    '    sources: [d]',
    'sources:',
    '  d:',
    '    type: debug',
    '',
  ];
  await writeFile(join(dir, 'mapproxy.yaml'), lines.join('\n'));
  return dir;
}

test('check refuses a proj_data_dir that is no directory, at its key', async (t) => {
  const dir = await configDir(t, './no-such-dir');
  const result = await checkConfiguration({ configFile: join(dir, 'mapproxy.yaml') });
  const messages = result.errors.map((e) => e.format(dir));
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0]!, /globals\.srs\.proj_data_dir: no such directory: .*no-such-dir/);
});

test('datum grids are read from proj_data_dir (relative to the config) first; the demo warning is logged', async (t) => {
  if (!existsSync(SYSTEM_GRID)) {
    assert.ok(process.env.CI !== 'true', `${SYSTEM_GRID} is missing: apt-get install proj-data`);
    t.skip(`${SYSTEM_GRID} missing (apt-get install proj-data)`);
    return;
  }
  const dir = await configDir(t, './proj');
  await mkdir(join(dir, 'proj'));
  // a grid name found nowhere else: only the configured directory can supply it
  const name = `MPTS_${process.pid}.gsb`;
  const definition = `+proj=longlat +ellps=bessel +nadgrids=${name} +no_defs`;
  assert.doesNotMatch(resolveDatumGrids(definition).definition, /nadgrids/);
  await copyFile(SYSTEM_GRID, join(dir, 'proj', name));

  configureLogging({ stdout: false });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  t.after(() => {
    configureLogging();
  });
  const runtime = buildProxy(await loadConfig(join(dir, 'mapproxy.yaml')));
  t.after(() => runtime.close());

  assert.match(resolveDatumGrids(definition).definition, new RegExp(`\\+nadgrids=${name}`));
  assert.ok(
    records.some(
      (r) =>
        r.name === 'mapproxy.config' &&
        r.level === 'warning' &&
        r.message === 'Application has demo page enabled. It is recommended to disable this in production.',
    ),
    records.map((r) => `${r.name} ${r.level} ${r.message}`).join('\n'),
  );
});
