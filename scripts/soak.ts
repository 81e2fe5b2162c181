/**
 * Soak test (not part of npm test): `npm run soak -- [--minutes 10] [--connections 16]`.
 * Runs `mapproxy-util serve -w 2` against an in-process upstream and sends a mix of cache hits,
 * misses (new meta tiles), WMS GetMaps and requests to a failing source for the given time,
 * sampling RSS and open file descriptors of every server process every 10 seconds. It passes when
 * both level off: the last quarter's median within 15 % (RSS) and 16 descriptors of the second's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startBenchUpstream } from '../bench/upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_MS = 10_000;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
  },
});
const minutes = Number(values.minutes);
const connections = Number(values.connections);

function config(upstreamUrl: string, brokenUrl: string): string {
  return `services:
  tms:
  wmts:
  wms:
    srs: ['EPSG:3857', 'EPSG:4326']
layers:
  - name: osm
    title: soak
    sources: [osm_cache]
  - name: broken
    title: failing source
    sources: [broken_cache]
caches:
  osm_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [osm_wms]
  broken_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [broken_wms]
sources:
  osm_wms:
    type: wms
    req: { url: '${upstreamUrl}/service', layers: osm }
  broken_wms:
    type: wms
    req: { url: '${brokenUrl}/service', layers: osm }
globals:
  cache:
    base_dir: ./cache_data
    lock_dir: ./cache_data/locks
`;
}

/** The server's processes: the primary and its children (the workers). */
async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
}

async function sample(pid: number): Promise<{ pid: number; rssMb: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
  return { pid, rssMb: Math.round(rssKb / 1024), fds };
}

/** The path of the next request: 60 % hits, 15 % misses, 15 % WMS, 10 % failing source. */
function nextPath(): string {
  const r = Math.random();
  const rand = (n: number) => Math.floor(Math.random() * n);
  if (r < 0.6) {
    const z = rand(4);
    return `/tms/1.0.0/osm/EPSG3857/${z}/${rand(2 ** z)}/${rand(2 ** z)}.png`;
  }
  if (r < 0.75) {
    const z = 8 + rand(8);
    return `/wmts/osm/GLOBAL_WEBMERCATOR/${z}/${rand(2 ** z)}/${rand(2 ** z)}.png`;
  }
  if (r < 0.9) {
    const x = -2e7 + Math.random() * 3.6e7;
    const y = -2e7 + Math.random() * 3.6e7;
    const w = 2e5 + Math.random() * 4e6;
    return `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=osm&STYLES=&FORMAT=image/png&SRS=EPSG:3857&BBOX=${x},${y},${x + w},${y + w}&WIDTH=256&HEIGHT=256`;
  }
  const z = rand(10);
  return `/tms/1.0.0/broken/EPSG3857/${z}/${rand(2 ** z)}/${rand(2 ** z)}.png`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const upstream = await startBenchUpstream(5);
  const broken = createServer((_req, res) => res.writeHead(500).end('down'));
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  const brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'soak-'));
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, config(upstream.url, brokenUrl));
  const bin = existsSync(join(ROOT, 'dist', 'commands', 'serve.js')) ? 'run.js' : 'dev.js';
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = spawn(
    process.execPath,
    [join(ROOT, 'bin', bin), 'serve', configFile, '-w', values.workers, '-b', `127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  server.stderr.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/tms/1.0.0/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 300) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = server.pid ?? 0;
  const samples: { seconds: number; procs: { pid: number; rssMb: number; fds: number }[] }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    void processTree(pid)
      .then((pids) => Promise.all(pids.map(sample)))
      .then((procs) => {
        const seconds = Math.round((Date.now() - started) / 1000);
        samples.push({ seconds, procs });
        const text = procs.map((p) => `${p.pid}: ${p.rssMb} MB ${p.fds} fds`).join(' | ');
        console.log(`${String(seconds).padStart(5)} s  ${text}`);
      });
  }, SAMPLE_MS);
  console.log(`soak: ${minutes} min, ${connections} connections, serve -w ${values.workers} (${bin})`);
  const result = await autocannon({
    url,
    connections,
    duration: minutes * 60,
    requests: [{ setupRequest: (req) => ({ ...req, path: nextPath() }) }],
  });
  clearInterval(sampler);
  server.kill('SIGTERM');
  await upstream.close();
  broken.close();
  await rm(dir, { recursive: true, force: true });

  // levelling off: every process's last-quarter median against its second-quarter median
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const pids = [...new Set(samples.flatMap((s) => s.procs.map((p) => p.pid)))];
  let ok = true;
  console.log(
    `\nrequests: ${result.requests.total} (${Math.round(result.requests.average)}/s), 2xx ${result['2xx']}, 4xx ${result['4xx']}, 5xx ${result['5xx']}, errors ${result.errors}, timeouts ${result.timeouts}`,
  );
  for (const p of pids) {
    const series = samples.map((s) => s.procs.find((q) => q.pid === p)).filter((q) => q !== undefined);
    const early = series.slice(quarter, 2 * quarter);
    const late = series.slice(-quarter);
    const rss = { early: median(early.map((q) => q.rssMb)), late: median(late.map((q) => q.rssMb)) };
    const fds = { early: median(early.map((q) => q.fds)), late: median(late.map((q) => q.fds)) };
    const level = rss.late <= rss.early * 1.15 && fds.late <= fds.early + 16;
    ok &&= level;
    console.log(
      `pid ${p}: RSS ${rss.early} -> ${rss.late} MB (peak ${Math.max(...series.map((q) => q.rssMb))}), fds ${fds.early} -> ${fds.late}: ${level ? 'levels off' : 'GROWS'}`,
    );
  }
  process.exitCode = ok && result.errors === 0 ? 0 : 1;
}

await main();
