/**
 * A real mapproxy-ts server for system tests: a fixture configuration copied into a fresh temp
 * dir (its own cache), started through the same core entry `serve-develop` uses, on port 0.
 */
import { dirname } from 'node:path';
import type { TestContext } from 'node:test';
import { startServer, type RunningServer } from '../../src/core/index.js';
import { copyFixture } from './fixtures.js';
import { atTestEnd } from './test-end.js';

export interface RunningProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The copied configuration file. */
  readonly configFile: string;
  /** Its directory: relative cache paths (`./cache_data`) live here. */
  readonly dir: string;
  readonly server: RunningServer;
}

/** Starts `test/fixtures/<fixture>` with `${KEY}` placeholders filled from `vars`; closed after the test. */
export async function startProxy(
  t: TestContext,
  fixture: string,
  vars: Readonly<Record<string, string>> = {},
): Promise<RunningProxy> {
  const configFile = await copyFixture(t, fixture, vars);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  atTestEnd(t, () => server.close());
  return { url: server.url, configFile, dir: dirname(configFile), server };
}
