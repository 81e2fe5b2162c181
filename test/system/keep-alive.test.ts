/**
 * One Keep-Alive rule for every server: serve-develop and the `serve` workers keep an idle
 * connection as long (72 s, longer than a front server's pool keeps it) and say so in the reply.
 */
import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';

/** The Connection and Keep-Alive headers of a tile reply on a kept-alive connection. */
function keepAliveHeaders(url: string): Promise<[string | undefined, string | undefined]> {
  const agent = new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    get(`${url}/tms/1.0.0/debug/EPSG3857/0/0/0.png`, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        agent.destroy();
        resolve([res.headers.connection, String(res.headers['keep-alive'])]);
      });
    }).on('error', reject);
  });
}

for (const command of ['serve-develop', 'serve'] as const) {
  test(`${command} keeps an idle connection 72 s and says so`, async (t) => {
    const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
    const served = await startServe(t, command === 'serve' ? [configFile, '-w', '1'] : [configFile], {
      command,
    });
    // serve's workers had Node's 5 s, serve-develop fastify's 72 s
    assert.deepEqual(await keepAliveHeaders(served.url), ['keep-alive', 'timeout=72']);
  });
}
