/**
 * Cached tile hits as users deploy the servers: ours (`serve -w N`, dist), MapProxy 1.15
 * (`gunicorn -w N`) and nginx serving ours' very cache files, each loaded by `wrk` (64
 * connections, a separate light process) rotating over every tile of the hit levels. Reports
 * req/s and p99 (which swing with the other load of a shared machine) and the server's CPU ms
 * per request (its process group's user + system time from /proc, which does not).
 *
 *   node --import tsx bench/tile-cpu.ts [--mapproxy] [--nginx] [--workers 2] [--duration 10]
 *     [--connections 64] [--runs 3] [--hit-levels 0-4] [--scenario tms-hit]… [--profile DIR]
 *     [--before OTHER/bin/run.js]
 *
 * `--before` also runs another build of ours (e.g. the previous commit's, built elsewhere).
 *
 * Runs are paired: each round runs every scenario on every target back to back, medians printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { groupCpuMs } from './group-cpu.js';
import { fetchAll } from './measure.js';
import { detachedTarget, startTarget, type Target } from './target.js';
import { gridTiles, shuffled, tilePath, type TileProtocol } from './tiles.js';
import { startBenchUpstream } from './upstream.js';

const SCENARIOS: Readonly<Record<string, TileProtocol>> = {
  'tms-hit': 'tms',
  'wmts-rest-hit': 'wmts-rest',
  'wmts-kvp-hit': 'wmts-kvp',
};

const { values } = parseArgs({
  options: {
    mapproxy: { type: 'boolean' },
    nginx: { type: 'boolean' },
    workers: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    'hit-levels': { type: 'string', default: '0-4' },
    scenario: { type: 'string', multiple: true },
    profile: { type: 'string' },
    before: { type: 'string' },
  },
});
const workers = Number(values.workers);
const [fromLevel, toLevel] = values['hit-levels'].split('-').map(Number) as [number, number];
const names = (values.scenario ?? Object.keys(SCENARIOS)).flatMap((name) => name.split(','));
for (const name of names) if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}`);

interface Figures {
  readonly perSecond: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly bad: number;
}

/** wrk's latency text (`812.00us`, `3.21ms`, `1.02s`) in ms. */
function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (match === null) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
}

/** Runs wrk on `paths` of `baseUrl` (each thread starts at its own offset and wraps around). */
async function wrk(baseUrl: string, paths: readonly string[], pgid: number, dir: string): Promise<Figures> {
  const script = join(dir, 'paths.lua');
  await writeFile(
    script,
    `local paths = {\n${paths.map((p) => `  ${JSON.stringify(p)},`).join('\n')}\n}\n` +
      'local i = 0\n' +
      'function init(args) i = math.random(#paths) end\n' +
      'function request() i = i % #paths + 1; return wrk.format(nil, paths[i]) end\n',
  );
  const args = [
    '-t',
    '2',
    '-c',
    values.connections,
    '-d',
    `${values.duration}s`,
    '--latency',
    '-s',
    script,
    baseUrl,
  ];
  const before = groupCpuMs(pgid);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(text);
      else reject(new Error(`wrk exited with ${String(code)}:\n${text}`));
    });
  });
  const cpuMs = groupCpuMs(pgid) - before;
  const total = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const errors = /Socket errors: .*/.exec(output)?.[0];
  if (errors !== undefined) console.log(`  wrk: ${errors}`);
  return {
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN),
    p99Ms: wrkMs(/\s99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    cpuMsPerRequest: cpuMs / total,
    bad,
  };
}

/** nginx with `workers` processes serving `root` as static files (access log off, sendfile). */
async function startNginx(root: string): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
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
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error('nginx did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return detachedTarget(child, {
    kind: 'mapproxy-ts',
    label: `nginx -w ${workers} (ours' cache files)`,
    url,
    dir,
  });
}

/** Paths (from `root`) of every .png under it. */
async function pngFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.png'))
    .map((e) => `/${relative(root, join(e.parentPath, e.name))}`);
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? NaN;
}

const upstream = await startBenchUpstream(0);
const targets: Target[] = [];
try {
  const nodeArgs = values.profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values.profile];
  targets.push(await startTarget('mapproxy-ts', upstream.url, 'dist', { mode: 'deploy', workers, nodeArgs }));
  if (values.before !== undefined) {
    const bin = values.before;
    targets.push(await startTarget('mapproxy-ts', upstream.url, 'dist', { mode: 'deploy', workers, bin }));
  }
  if (values.mapproxy === true)
    targets.push(await startTarget('mapproxy', upstream.url, 'dist', { mode: 'deploy', workers }));
  const pathsOf = (name: string): string[] =>
    shuffled(gridTiles(SCENARIOS[name] ?? 'tms', [fromLevel, toLevel])).map((t) =>
      tilePath(SCENARIOS[name] ?? 'tms', t),
    );
  // 1. create every tile on every server, then one pass outside the measurement (JIT, page cache)
  for (const target of targets) for (const name of names) await fetchAll(target.url, pathsOf(name), 8);
  const jobs: { label: string; target: Target; paths: string[] }[] = [];
  for (const name of names)
    for (const target of targets)
      jobs.push({ label: `${name} ${target.label}`, target, paths: pathsOf(name) });
  const ours = targets[0] as Target;
  if (values.nginx === true) {
    const root = join(ours.dir, 'cache_data');
    const nginx = await startNginx(root);
    targets.push(nginx);
    const files = await pngFiles(root);
    const bytes = (await Promise.all(files.map((f) => stat(join(root, f))))).reduce(
      (sum, s) => sum + s.size,
      0,
    );
    console.log(`nginx serves ${files.length} tile files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    jobs.push({ label: nginx.label, target: nginx, paths: shuffled(files) });
  }
  for (const job of jobs) await fetchAll(job.target.url, job.paths, 8);
  const results = new Map<string, Figures[]>();
  for (let run = 0; run < Number(values.runs); run++) {
    for (const job of jobs) {
      const figures = await wrk(job.target.url, job.paths, job.target.pid, ours.dir);
      console.log(
        `run ${run + 1} ${job.label}: ${figures.perSecond.toFixed(0)} req/s, p99 ${figures.p99Ms.toFixed(2)} ms, ` +
          `${figures.cpuMsPerRequest.toFixed(3)} ms CPU/req${figures.bad > 0 ? `, ${figures.bad} non-2xx` : ''}`,
      );
      results.set(job.label, [...(results.get(job.label) ?? []), figures]);
    }
  }
  console.log(
    `\nmedians of ${values.runs} runs, ${values.connections} connections, ${values.duration} s, levels ${values['hit-levels']}:`,
  );
  for (const [label, list] of results) {
    console.log(
      `${label}: ${median(list.map((f) => f.perSecond)).toFixed(0)} req/s, p99 ${median(list.map((f) => f.p99Ms)).toFixed(2)} ms, ` +
        `${median(list.map((f) => f.cpuMsPerRequest)).toFixed(3)} ms CPU/req`,
    );
  }
} finally {
  for (const target of targets.reverse()) await target.close();
  await upstream.close();
}
