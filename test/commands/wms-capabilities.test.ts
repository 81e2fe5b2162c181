/** `mapproxy-util wms-capabilities`: output on stdout, messages on stderr and the exit codes. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startUpstream } from '../helpers/upstream.js';

const fixture = (name: string): Promise<string> =>
  readFile(`${FIXTURES_DIR}demo/wms-capabilities/${name}`, 'utf8');

test('prints the layer list only and exits 0 (--host, --version 1.3.0)', async (t) => {
  const upstream = await startUpstream(t, { '/service': { body: await fixture('capabilities-1.3.0.xml') } });
  const result = await runCommand([
    'wms-capabilities',
    '--version',
    '1.3.0',
    '--host',
    `${upstream.url}/service`,
  ]);
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, await fixture('mapproxy-output-1.3.0.txt'));
  assert.equal(result.code, 0);
  assert.equal(upstream.requests[0]?.query.get('version'), '1.3.0');
});

test('an unreachable host is an ERROR line and exit 1', async (t) => {
  const upstream = await startUpstream(t);
  await upstream.close();
  const result = await runCommand(['wms-capabilities', `${upstream.url}/wms`]);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /^error: No response from URL ".*\/wms\?service=WMS&version=1\.1\.1&request=GetCapabilities": Connection refused/,
  );
  assert.equal(result.code, 1);
});

test('a non-capabilities answer shows the received document and exits 1', async (t) => {
  const upstream = await startUpstream(t, { '/wms': { body: '<html><p>not a WMS</html>' } });
  const result = await runCommand(['wms-capabilities', `${upstream.url}/wms`]);
  assert.match(
    result.stderr,
    /^error: Could not parse the document: .*\nReceived document:\n-{80}\n<html><p>not a WMS<\/html>\n-{80}\n$/,
  );
  assert.equal(result.code, 1);
});

test('without a URL it exits 2', async () => {
  const result = await runCommand(['wms-capabilities']);
  assert.match(result.stderr, /give the WMS capabilities URL/);
  assert.equal(result.code, 2);
});
