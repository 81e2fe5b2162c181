/**
 * A server whose working directory is deleted while it runs keeps serving, as MapProxy's does:
 * Node cannot start a worker thread (the image threads) without a working directory, so the
 * servers leave it once started. Maps that need the image threads (reprojection to UTM) are
 * drawn after the threads started at load have exited (idle) and after a reload; the
 * configuration is given relative to the deleted directory and is still found on the reload.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI_ARGV } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { atTestEnd } from '../helpers/test-end.js';
import { pixelAt } from '../helpers/upstream.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/mapproxy.yaml', import.meta.url));
const TITLE = 'mapproxy-ts offline example';
const EDITED_TITLE = 'edited after the cwd was deleted';
/** The servers' image threads exit after this idle time (MAPPROXY_TS_THREAD_IDLE_MS; 60 s by default). */
const THREAD_IDLE_MS = 500;
/** The idle time and a margin: the threads that drew the first map have exited. */
const THREADS_EXITED_MS = 2_000;

/** A server started in `<dir>/run` on `../conf/mapproxy.yaml` (or `../conf`), with its output collected. */
interface Started {
  readonly child: ChildProcess;
  /** Where the configuration's services answer. */
  readonly url: string;
  readonly runDir: string;
  readonly configFile: string;
  output(): string;
}

async function startCli(
  t: TestContext,
  args: readonly string[],
  target = '../conf/mapproxy.yaml',
): Promise<Started> {
  const dir = await makeTempDir(t);
  const runDir = join(dir, 'run');
  const configFile = join(dir, 'conf', 'mapproxy.yaml');
  await mkdir(runDir);
  await mkdir(join(dir, 'conf'));
  await copyFile(EXAMPLE, configFile);
  const child = spawn(process.execPath, [...CLI_ARGV, ...args, target, '-b', '127.0.0.1:0'], {
    cwd: runDir,
    env: { ...process.env, NO_COLOR: '1', MAPPROXY_TS_THREAD_IDLE_MS: String(THREAD_IDLE_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  atTestEnd(t, () => child.kill());
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Running on (http:\/\/\S+?)\/ /.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`${args.join(' ')} exited with ${String(code)}:\n${output}`));
    });
  });
  // serve-multiapp-develop serves DIR/mapproxy.yaml under /mapproxy
  const base = target.endsWith('.yaml') ? url : `${url}/mapproxy`;
  return { child, url: base, runDir, configFile, output: () => output };
}

/** Resolves once `pattern` appears in the output after `from` characters. */
async function waitForOutput(server: Started, pattern: RegExp, from: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!pattern.test(server.output().slice(from))) {
    if (Date.now() > deadline) assert.fail(`no ${String(pattern)} in:\n${server.output().slice(from)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A WMS GetMap in UTM (reprojected on the image threads): 200 and a PNG. */
async function assertMap(server: Started, what: string): Promise<void> {
  const res = await fetch(
    `${server.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=debug&STYLES=&FORMAT=image%2Fpng` +
      '&WIDTH=256&HEIGHT=256&SRS=EPSG:25832&BBOX=300000,5300000,900000,5900000',
  );
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, `${what}: ${body.toString().slice(0, 300)}\n${server.output()}`);
  assert.equal(res.headers.get('content-type'), 'image/png', what);
  await pixelAt(body, 128, 128);
}

async function capabilitiesTitle(server: Started): Promise<string | undefined> {
  const res = await fetch(`${server.url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1`);
  assert.equal(res.status, 200);
  return /<Service>[\s\S]*?<Title>([^<]*)<\/Title>/.exec(await res.text())?.[1];
}

async function editTitle(server: Started): Promise<void> {
  const text = await readFile(server.configFile, 'utf8');
  await writeFile(server.configFile, text.replace(`title: ${TITLE}`, `title: ${EDITED_TITLE}`));
}

/** A map; the deletion of the server's working directory; a map once the threads started at load have exited. */
async function deleteCwdAndWait(server: Started): Promise<void> {
  await assertMap(server, 'before the deletion');
  await rm(server.runDir, { recursive: true });
  await new Promise((resolve) => setTimeout(resolve, THREADS_EXITED_MS));
  await assertMap(server, 'after the deletion, on a new thread');
}

// the three wait for the idle threads to exit at the same time
describe('a deleted working directory', { concurrency: true }, () => {
  test('serve-develop keeps serving maps and reloads after its working directory is deleted', async (t) => {
    const server = await startCli(t, ['serve-develop']);
    await deleteCwdAndWait(server);
    // the reload replaces the runtime, and reads the configuration from its relative name again
    const mark = server.output().length;
    await editTitle(server);
    await waitForOutput(server, /reloaded configuration|could not reload/, mark);
    assert.doesNotMatch(server.output().slice(mark), /could not reload/);
    assert.equal(await capabilitiesTitle(server), EDITED_TITLE);
    await assertMap(server, 'after the reload');
    // a broken edit names the file absolutely, not relative to '/' (where the server went)
    const broken = server.output().length;
    await writeFile(server.configFile, 'layers: [\n');
    await waitForOutput(server, /could not reload/, broken);
    assert.ok(server.output().slice(broken).includes(`${server.configFile}:`), server.output().slice(broken));
    await assertMap(server, 'after a failed reload');
    assert.equal(server.child.exitCode, null, server.output());
  });

  test('serve-multiapp-develop keeps serving maps and reloads a project after its working directory is deleted', async (t) => {
    const server = await startCli(t, ['serve-multiapp-develop'], '../conf');
    await deleteCwdAndWait(server);
    await editTitle(server);
    const deadline = Date.now() + 30_000;
    while ((await capabilitiesTitle(server)) !== EDITED_TITLE) {
      if (Date.now() > deadline) assert.fail(`the project was not reloaded:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await assertMap(server, 'after the reload');
    assert.equal(server.child.exitCode, null, server.output());
  });

  test('serve -w 1 keeps serving maps and reloads (SIGHUP) after its working directory is deleted', async (t) => {
    const server = await startCli(t, ['serve', '-w', '1']);
    await deleteCwdAndWait(server);
    // a reload forks a new worker process, which loads the configuration again
    const mark = server.output().length;
    await editTitle(server);
    server.child.kill('SIGHUP');
    await waitForOutput(server, /reload finished|reload failed/, mark);
    assert.doesNotMatch(server.output().slice(mark), /reload failed/);
    assert.equal(await capabilitiesTitle(server), EDITED_TITLE);
    await assertMap(server, 'after the reload');
    assert.equal(server.child.exitCode, null, server.output());
  });
});
