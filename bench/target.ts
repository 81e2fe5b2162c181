/**
 * Bench targets: a server under test started as a child process on a fresh temp dir (own config,
 * own cache). mapproxy-ts runs from dist/ (bin/run.js) or src/ (bin/dev.js); MapProxy 1.15 runs
 * `mapproxy-util serve-develop` (one process, threaded, GIL-bound: a reference, not its production speed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchConfig } from './config.js';
import type { ServerMode } from './options.js';

export type TargetKind = 'mapproxy-ts' | 'mapproxy';

export interface Target {
  readonly kind: TargetKind;
  /** What ran, for the report (`mapproxy-ts (dist)`, `MapProxy 1.15 serve-develop`). */
  readonly label: string;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** The temp dir with mapproxy.yaml and cache_data/. */
  readonly dir: string;
  close(): Promise<void>;
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
async function freePort(): Promise<number> {
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
function waitForUrl(child: ChildProcess, what: string): Promise<string> {
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
        resolve(match[1]);
      }
    };
    // both streams are always drained, so a chatty server never blocks on a full pipe
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
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

/** Starts a `kind` target serving the bench config against `upstreamUrl`. */
export async function startTarget(kind: TargetKind, upstreamUrl: string, mode: ServerMode): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${kind}-`));
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, benchConfig(upstreamUrl));
  let child: ChildProcess;
  let label: string;
  if (kind === 'mapproxy-ts') {
    const entry = ourEntry(mode);
    label = entry.label;
    child = spawn(process.execPath, [entry.bin, 'serve-develop', configFile, '-b', '127.0.0.1:0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } else {
    label = 'MapProxy 1.15 serve-develop (1 process)';
    const port = await freePort();
    child = spawn('mapproxy-util', ['serve-develop', '-b', `127.0.0.1:${port}`, configFile], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its reloader forks a child: the whole process group is stopped on close
    });
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
    const url = await waitForUrl(child, label);
    await waitForListening(url);
    return { kind, label, url, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
