/**
 * nginx serving a cache's tile files as they are stored: the reference for cache hits (what the
 * machine can serve at all), with the paths of those files to rotate over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { timedLoad } from './load.js';
import { fetchAll } from './measure.js';
import type { BenchOptions } from './options.js';
import type { ScenarioResult } from './scenarios/index.js';
import { detachedTarget, freePort, type Server } from './target.js';
import { shuffled } from './tiles.js';

/** True when `nginx` is on the PATH. */
export const hasNginx = (): boolean => spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error === undefined;

/** nginx with `workers` processes serving `root` as static files (access log off, sendfile). */
export async function startNginx(root: string, workers: number): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'nginx.conf'),
    // as root nginx would switch its workers to nobody, who cannot read the 0700 temp dir
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;\nworker_processes ${workers};\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n` +
      'events { worker_connections 1024; }\n' +
      `http {\n  access_log off;\n  sendfile on;\n  types { image/png png; }\n` +
      `  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fcgi;\n` +
      `  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n` +
      `  server {\n    listen 127.0.0.1:${port};\n    root ${root};\n  }\n}\n`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: 'inherit',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  // the temp dir (config, pid, error log) goes with it; `root` is the caller's
  const server = detachedTarget(child, { label: `nginx -w ${workers} (ours' cache files)`, url, dir });
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/`).then(
      () => true,
      () => false,
    );
    if (up) return server;
    if (i > 100 || child.exitCode !== null) {
      if (child.exitCode === null) await server.close();
      throw new Error(`nginx did not start (its log: ${dir}/error.log)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** URL paths (from `root`) of every .png under it. */
export async function tileFilePaths(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.png'))
    .map((e) => `/${relative(root, join(e.parentPath, e.name))}`);
}

/**
 * The reference run of a cache-hit scenario: `nginx` (serving `root`) loaded as the scenario loads
 * ours, rotating over every tile file under `root` (shuffled), after one untimed pass (page cache).
 */
export async function nginxHitRun(
  nginx: Server,
  root: string,
  options: Pick<BenchOptions, 'load' | 'durationSeconds' | 'connections' | 'warmUpSeconds'>,
): Promise<ScenarioResult> {
  const paths = shuffled(await tileFilePaths(root));
  await fetchAll(nginx.url, paths, 8);
  const measurement = await timedLoad(nginx, paths, options, options.warmUpSeconds);
  return {
    ...measurement,
    upstreamRequests: 0,
    note: `${paths.length} tile files of ours' cache, ${options.connections} conns`,
  };
}
