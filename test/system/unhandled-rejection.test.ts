/**
 * A promise rejected with nobody waiting for it is logged and the server goes on serving: Node's
 * default ends the process (serve-develop stopped; a serve worker died with its requests).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';

/**
 * A module the server processes import first (NODE_OPTIONS, so `serve`'s workers too): a request
 * for /reject-unawaited makes a rejected promise nobody handles, as a bug in a request would.
 */
const TRIGGER = `import http from 'node:http';
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request' && args[0].url === '/reject-unawaited') void Promise.reject(new Error('nobody awaits this'));
  return emit.call(this, event, ...args);
};
`;

async function triggerModule(t: TestContext): Promise<string> {
  const file = join(await makeTempDir(t), 'reject-unawaited.mjs');
  await writeFile(file, TRIGGER);
  return pathToFileURL(file).href;
}

for (const [command, args] of [
  ['serve-develop', []],
  ['serve', ['-w', '1']],
] as const) {
  test(`${command}: an unhandled rejection is logged and the server keeps serving`, async (t) => {
    const trigger = await triggerModule(t);
    const server = await startServe(t, [join(FIXTURES_DIR, 'config', 'valid.yaml'), ...args], {
      command,
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${trigger}`.trim() },
    });
    const from = server.output().length;
    await (await fetch(`${server.url}/reject-unawaited`)).arrayBuffer();
    // a serve worker that died is replaced: its "died" line ends the wait as well
    const seen = await server.waitFor(/unhandled promise rejection|died/, from);
    assert.match(seen, /unhandled promise rejection \(a bug; still serving\): Error: nobody awaits this/);
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.equal(server.child.exitCode, null);
    assert.doesNotMatch(server.output(from), /died/);
  });
}
