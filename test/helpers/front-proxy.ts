/**
 * Real front servers for deployment tests: `mapproxy-util serve` as a child process, and nginx or
 * Apache (Debian packages) in a temp prefix on 127.0.0.1, configured with the README's snippets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CLI_ARGV } from './cli.js';
import { makeTempDir } from './fixtures.js';
import { atTestEnd } from './test-end.js';

/** A free TCP port on 127.0.0.1 (bound once and released, for servers that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Closes the idle keep-alive connections of this process's fetch (its global dispatcher, replaced by
 * a fresh one; requests still in flight finish on the old one). A stopped `serve` worker drains:
 * it exits once its connections are closed (idle ones it closes after 5 s; undici would keep one
 * for the server's Keep-Alive timeout less a second, 71 s), which every stop of a server the test
 * had fetched from waited out (3.0 s of the 5.4 s of deploy-cluster's tile_lock_dir test). undici is imported here, not
 * with this module: importing it installs its own Agent as fetch's dispatcher when fetch has not
 * set one yet, and the tests' requests go through Node's own until a server is stopped.
 */
export async function closeIdleConnections(): Promise<void> {
  const { Agent, getGlobalDispatcher, setGlobalDispatcher } = await import('undici');
  const previous = getGlobalDispatcher();
  setGlobalDispatcher(new Agent());
  void previous.close();
}

/** Stops `child` with `signal` and waits for it to exit (SIGKILL after 15 s). */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await closeIdleConnections();
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Per test, the children `stopAfter` stops, in the order they were started. */
const toStop = new WeakMap<TestContext, { child: ChildProcess; signal: NodeJS.Signals }[]>();

/**
 * Stops `child` with `signal` after the test, the children of one test in the reverse order of
 * their start: a front server first, then the `serve` behind it, whose workers drain only once
 * the connections Apache's mod_proxy pools to them are closed (stopped first, `serve` waited out
 * its Keep-Alive timeout: 6.0 s of the Apache test's 9.0 s).
 */
function stopAfter(t: TestContext, child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  let children = toStop.get(t);
  if (children === undefined) {
    const started: { child: ChildProcess; signal: NodeJS.Signals }[] = [];
    toStop.set(t, started);
    // also when an earlier cleanup failed: a skipped stop left `serve -w 2` running for good
    atTestEnd(t, async () => {
      for (const entry of started.reverse()) await stop(entry.child, entry.signal);
    });
    children = started;
  }
  children.push({ child, signal });
}

export interface ServeProcess {
  /** `http://127.0.0.1:<port>` of the workers' socket. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the primary printed so far (stdout and stderr), from offset `from` on. */
  output(from?: number): string;
  /** Resolves with the output from offset `from` on once `pattern` appears in it. */
  waitFor(pattern: RegExp, from?: number): Promise<string>;
}

/**
 * Runs `mapproxy-util serve ARGS` (bind 127.0.0.1:0 unless given) until the test ends; `cli`: the
 * node arguments that start mapproxy-util (default CLI_ARGV, e.g. [DEV_BIN] for the sources);
 * `env`: variables added to the environment, `command`: `serve-develop` instead of `serve`.
 */
export async function startServe(
  t: TestContext,
  args: readonly string[],
  {
    cwd,
    cli = CLI_ARGV,
    env = {},
    command = 'serve',
  }: {
    readonly cwd?: string;
    readonly cli?: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
    readonly command?: 'serve' | 'serve-develop';
  } = {},
): Promise<ServeProcess> {
  const bind = args.includes('-b') ? [] : ['-b', '127.0.0.1:0'];
  const child = spawn(process.execPath, [...cli, command, ...args, ...bind], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopAfter(t, child);
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: string): void => {
    text += chunk;
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const waitFor = (pattern: RegExp, from = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(text.slice(from))) {
          waiters.delete(check);
          child.off('exit', onExit);
          resolve(text.slice(from));
        }
      };
      const onExit = (): void => {
        waiters.delete(check);
        reject(new Error(`serve exited before printing ${String(pattern)}:\n${text}`));
      };
      child.once('exit', onExit);
      waiters.add(check);
      check();
    });
  const started = await waitFor(/Running on (http:\/\/\S+)\//);
  const url = /Running on (http:\/\/\S+?)\//.exec(started)?.[1] ?? '';
  return { url, child, output: (from = 0) => text.slice(from), waitFor };
}

/** Resolves once `url` answers at all (the front server is up); gives up after `timeoutMs`. */
async function waitUntilServing(
  url: string,
  child: ChildProcess,
  log: () => Promise<string>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`front server exited:\n${await log()}`);
    try {
      await fetch(url);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      // nginx and Apache announce readiness nowhere; retry the connection
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export interface FrontServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/** The nginx snippet of README "Deployment", pointed at `backendUrl`. */
export function nginxLocation(backendUrl: string, prefix = '/mapproxy'): string {
  return `location ${prefix} {
      proxy_pass ${backendUrl};
      proxy_set_header Host $http_host;
      proxy_set_header X-Script-Name ${prefix};
    }`;
}

/** Starts nginx on 127.0.0.1 forwarding `/mapproxy` to `backendUrl` as README shows it. */
export async function startNginx(t: TestContext, backendUrl: string): Promise<FrontServer> {
  const dir = await makeTempDir(t, 'nginx-');
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name example.org;
    ${nginxLocation(backendUrl)}
  }
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', conf, '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  stopAfter(t, child, 'SIGQUIT');
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child, () =>
    import('node:fs/promises').then((fs) => fs.readFile(`${dir}/error.log`, 'utf8')),
  );
  return { url };
}

/** The Apache mod_proxy snippet of README "Deployment", pointed at `backendUrl`. */
export function apacheLocation(backendUrl: string, prefix = '/mapproxy'): string {
  return `<IfModule mod_proxy.c>
  <IfModule mod_headers.c>
    <Location ${prefix}>
      ProxyPass ${backendUrl}
      ProxyPassReverse ${backendUrl}
      RequestHeader add X-Script-Name "${prefix}"
    </Location>
  </IfModule>
</IfModule>`;
}

/** Starts Apache (`apache2 -X`, one process) on 127.0.0.1 forwarding `/mapproxy` to `backendUrl`. */
export async function startApache(t: TestContext, backendUrl: string): Promise<FrontServer> {
  const dir = await makeTempDir(t, 'apache-');
  const port = await freePort();
  const modules = '/usr/lib/apache2/modules';
  const conf = join(dir, 'httpd.conf');
  await writeFile(
    conf,
    `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule proxy_module ${modules}/mod_proxy.so
LoadModule proxy_http_module ${modules}/mod_proxy_http.so
LoadModule headers_module ${modules}/mod_headers.so
${apacheLocation(backendUrl)}
`,
  );
  const child = spawn('/usr/sbin/apache2', ['-f', conf, '-X'], { stdio: 'ignore' });
  stopAfter(t, child, 'SIGTERM');
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(url, child, () =>
    import('node:fs/promises').then((fs) => fs.readFile(`${dir}/error.log`, 'utf8')),
  );
  return { url };
}
