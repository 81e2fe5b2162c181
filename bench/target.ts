/**
 * Bench targets: a server under test started as a child process on a fresh temp dir (own config,
 * own cache). mapproxy-ts runs from dist/ (bin/run.js) or src/ (bin/dev.js); MapProxy 1.15 runs
 * `mapproxy-util serve-develop` (one process, threaded, GIL-bound: a reference, not its production speed).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig, type BenchCacheType, type BenchStore } from './config.js';
import { spawnRedis } from '../test/helpers/redis-server.js';
import { createS3Server } from '../test/helpers/s3-server.js';
import type { ServerMode } from './options.js';

/** In-process mode: our serve-develop and MapProxy's; deploy mode: `serve -w N` and gunicorn `-w N`. */
export type TargetKind = 'mapproxy-ts' | 'mapproxy';

/** How a target is run: development servers (quick mode) or as users deploy (`workers` processes). */
export type Deployment =
  | { readonly mode: 'develop' }
  /**
   * `nodeArgs` go before ours' entry point (`--cpu-prof`, which NODE_OPTIONS refuses; workers
   * inherit them); `bin` replaces the entry point (another build, for before/after pairs).
   */
  | {
      readonly mode: 'deploy';
      readonly workers: number;
      readonly nodeArgs?: readonly string[];
      readonly bin?: string;
    };

/** A server the bench started as its own process group. */
export interface Server {
  /** What ran, for the report (`mapproxy-ts (dist)`, `MapProxy 1.15 serve-develop`). */
  readonly label: string;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** The temp dir with mapproxy.yaml and cache_data/. */
  readonly dir: string;
  /** The process group of the server (the primary or gunicorn master and its workers). */
  readonly pid: number;
  close(): Promise<void>;
}

/** A server under test: ours or MapProxy. */
export interface Target extends Server {
  readonly kind: TargetKind;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

/** The mapproxy-ts entry point for `mode`: dist when built (or asked for), else the tsx dev entry. */
function ourEntry(mode: ServerMode): { bin: string; label: string } {
  const built = existsSync(join(ROOT, 'dist', 'commands', 'serve-develop.js'));
  if (mode === 'dist' && !built) throw new Error('--server dist: dist/ is not built (npm run build)');
  return mode === 'dev' || !built
    ? { bin: join(ROOT, 'bin', 'dev.js'), label: 'mapproxy-ts (src via tsx)' }
    : { bin: join(ROOT, 'bin', 'run.js'), label: 'mapproxy-ts (dist)' };
}

/** The seeding command of `kind` (arguments follow): `mapproxy-util seed` or MapProxy's `mapproxy-seed`. */
export function seedCommand(kind: TargetKind, mode: ServerMode): { command: string; args: string[] } {
  return kind === 'mapproxy-ts'
    ? { command: process.execPath, args: [ourEntry(mode).bin, 'seed'] }
    : { command: 'mapproxy-seed', args: [] };
}

/** A free TCP port on 127.0.0.1 (MapProxy's serve-develop cannot bind port 0 and tell us). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resolves with the URL the child prints (`Running on http://...`); rejects if it exits first. */
export function waitForUrl(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/[^\s/]+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        // from now on only drained: collecting and scanning every access line (megabytes under
        // load) cost this process a core that the servers on the same machine then lacked
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        output = '';
        resolve(match[1]);
      }
    };
    // both streams are always drained, so a chatty server never blocks on a full pipe
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${String(code)} before listening:\n${output}`));
    });
  });
}

/**
 * Resolves when `url` accepts TCP connections. MapProxy prints its URL before its reloader's child
 * binds the port, so the line alone does not mean it listens yet.
 */
async function waitForListening(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (let attempt = 0; ; attempt++) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (accepted) return;
    if (attempt * 100 > STARTUP_TIMEOUT_MS) throw new Error(`${url} never accepted a connection`);
    await delay(100);
  }
}

/** The store a cache of `cacheType` lives in outside the target, and the env the target needs for it. */
interface CacheStore {
  readonly store: BenchStore;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts the store of an s3 cache (an in-process S3-compatible store) or a redis cache (a
 * throwaway `redis-server` on a free port, no persistence); none for file-based caches.
 */
async function startCacheStore(cacheType: BenchCacheType): Promise<CacheStore | undefined> {
  if (cacheType === 's3') {
    const s3 = await createS3Server(['bench']);
    const env = {
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    return { store: { s3Url: s3.url }, env, close: () => s3.close() };
  }
  if (cacheType === 'redis') {
    const redis = await spawnRedis();
    return { store: { redisPort: redis.port }, env: {}, close: () => redis.stop() };
  }
  return undefined;
}

/** Starts a `kind` target serving the bench config against `upstreamUrl`, as `deployment` says. */
export async function startTarget(
  kind: TargetKind,
  upstreamUrl: string,
  mode: ServerMode,
  deployment: Deployment = { mode: 'develop' },
  cacheType: BenchCacheType = 'file',
): Promise<Target> {
  const store = await startCacheStore(cacheType);
  if (store === undefined) return startServing(kind, upstreamUrl, mode, deployment, cacheType);
  // the store is closed with the target
  try {
    const target = await startServing(kind, upstreamUrl, mode, deployment, cacheType, store);
    return {
      ...target,
      close: async () => {
        await target.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function startServing(
  kind: TargetKind,
  upstreamUrl: string,
  mode: ServerMode,
  deployment: Deployment,
  cacheType: BenchCacheType,
  store?: CacheStore,
): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${kind}-`));
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, benchConfig(upstreamUrl, cacheType, store?.store));
  let child: ChildProcess;
  let label: string;
  const spawnOptions: SpawnOptions = {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...store?.env },
  };
  if (kind === 'mapproxy-ts' && deployment.mode === 'deploy') {
    const entry = ourEntry(mode);
    label = `mapproxy-ts serve -w ${deployment.workers}${deployment.bin === undefined ? '' : ` (${deployment.bin})`}`;
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        ...(deployment.nodeArgs ?? []),
        deployment.bin ?? entry.bin,
        'serve',
        configFile,
        '-w',
        String(deployment.workers),
        '-b',
        `127.0.0.1:${port}`,
      ],
      spawnOptions,
    );
  } else if (kind === 'mapproxy-ts') {
    const entry = ourEntry(mode);
    label = entry.label;
    child = spawn(
      process.execPath,
      [entry.bin, 'serve-develop', configFile, '-b', '127.0.0.1:0'],
      spawnOptions,
    );
  } else if (deployment.mode === 'deploy') {
    // MapProxy as its documentation deploys it: the wsgi-app script under gunicorn, sync workers
    label = `MapProxy 1.15 gunicorn -w ${deployment.workers}`;
    await runToEnd(
      'mapproxy-util',
      ['create', '-t', 'wsgi-app', '-f', configFile, join(dir, 'config.py')],
      dir,
    );
    const port = await freePort();
    child = spawn(
      'gunicorn',
      [
        '-w',
        String(deployment.workers),
        '-b',
        `127.0.0.1:${port}`,
        '--log-level',
        'warning',
        'config:application',
      ],
      spawnOptions,
    );
    // gunicorn prints nothing at warning level: its URL is known
    const url = `http://127.0.0.1:${port}`;
    return finishStart(kind, label, child, dir, Promise.resolve(url));
  } else {
    label = 'MapProxy 1.15 serve-develop (1 process)';
    const port = await freePort();
    // its reloader forks a child: the whole process group is stopped on close
    child = spawn('mapproxy-util', ['serve-develop', '-b', `127.0.0.1:${port}`, configFile], spawnOptions);
  }
  return finishStart(kind, label, child, dir, waitForUrl(child, label));
}

/**
 * The Target of a `detached` child (the leader of its own process group) serving at `url`:
 * closing stops the whole group and removes `dir`.
 */
export function detachedTarget<const T extends Omit<Server, 'pid' | 'close'>>(
  child: ChildProcess,
  fields: T,
): T & Pick<Server, 'pid' | 'close'> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    ...fields,
    pid: child.pid ?? 0,
    async close() {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await exited;
      await rm(fields.dir, { recursive: true, force: true });
    },
  };
}

/** Runs `command` to its end in `cwd`; rejects with its output when it fails. */
export function runToEnd(command: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${output}`));
    });
  });
}

async function finishStart(
  kind: TargetKind,
  label: string,
  child: ChildProcess,
  dir: string,
  urlPromise: Promise<string>,
): Promise<Target> {
  if (kind === 'mapproxy') {
    // drained so a chatty server never blocks on a full pipe
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const close = async () => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const url = await urlPromise;
    await waitForListening(url);
    return { kind, label, url, dir, pid: child.pid ?? 0, close };
  } catch (error) {
    await close();
    throw error;
  }
}
