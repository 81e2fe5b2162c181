/**
 * The two servers of a differential run: MapProxy 1.15 (mapproxy-server.py under the system
 * Python, a child process) and ours (in process, the core entry `serve-develop` uses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/core/index.js';

/** The Python that has MapProxy installed; `MAPPROXY_PYTHON` overrides it. */
export const MAPPROXY_PYTHON = process.env.MAPPROXY_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'mapproxy-server.py');

export interface Running {
  readonly url: string;
  close(): Promise<void>;
}

/** What loading a configuration ended in: a server, or the refusal's first line. */
export type Started =
  { readonly ok: true; readonly server: Running } | { readonly ok: false; readonly error: string };

/** Starts MapProxy on `configFile`; resolves once it listens (or with its refusal). */
export function startMapProxy(configFile: string, cwd: string): Promise<Started> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(MAPPROXY_PYTHON, [SCRIPT, configFile], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let done = false;
    const finish = (started: Started): void => {
      if (done) return;
      done = true;
      resolve(started);
    };
    child.stderr?.resume();
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /^listening (\d+)$/m.exec(output);
      if (listening !== null) {
        finish({
          ok: true,
          server: {
            url: `http://127.0.0.1:${listening[1]}`,
            close: () =>
              new Promise<void>((closed) => {
                if (child.exitCode !== null) {
                  closed();
                  return;
                }
                child.once('exit', () => {
                  closed();
                });
                child.stdin?.end();
                // a server thread stuck on an upstream must not keep the run waiting
                setTimeout(() => child.kill('SIGKILL'), 5000).unref();
              }),
          },
        });
      }
    });
    child.once('exit', () => {
      const refused = /^refused: (.*)$/m.exec(output)?.[1] ?? output.trim().split('\n').at(-1) ?? '';
      finish({ ok: false, error: refused });
    });
  });
}

/** Starts our server on `configFile`, port 0, without reloading. */
export async function startOurs(configFile: string): Promise<Started> {
  try {
    const server = await startServer({
      configFile,
      bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
      reload: false,
    });
    return { ok: true, server: { url: `http://127.0.0.1:${server.port}`, close: () => server.close() } };
  } catch (error) {
    return { ok: false, error: String(error instanceof Error ? error.message : error).split('\n')[0] ?? '' };
  }
}
