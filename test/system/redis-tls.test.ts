/**
 * Redis over TLS (mapproxy-ts's own `ssl`, `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`,
 * `ssl_no_cert_checks` of a redis cache) against a real `redis-server --tls-port`, with a
 * throwaway CA and certificates made by openssl in the test's temporary directory.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { CacheError, RedisCache } from '../../src/core/cache/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { freePort, startRedis } from '../helpers/redis-server.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const run = promisify(execFile);
const skip = needs('redis-server', 'openssl');

/** openssl's `-newkey` for a P-256 key: made at once, where an RSA 2048 key costs 0.1-0.6 CPU-s. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed, as PEM files in `dir`. */
async function makeCertificates(dir: string, name = 'ca'): Promise<void> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    ...['req', '-x509', ...NEW_KEY, '-nodes', '-days', '1', '-subj', `/CN=${name}`],
    ...['-keyout', `${name}.key`, '-out', `${name}.pem`],
  );
  for (const [who, extension] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    await openssl(
      'req',
      ...NEW_KEY,
      '-nodes',
      '-subj',
      `/CN=${who}`,
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
    );
    await writeFile(join(dir, `${who}.ext`), `${extension}\n`);
    await openssl(
      ...[
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        `${name}.pem`,
        '-CAkey',
        `${name}.key`,
        '-CAcreateserial',
      ],
      ...['-days', '1', '-extfile', `${who}.ext`, '-out', `${who}.pem`],
    );
  }
}

/** redis-server with a plain port (for looking) and a TLS port that asks for client certificates. */
async function startTlsRedis(t: TestContext, certs: string, authClients: 'yes' | 'no') {
  const tlsPort = await freePort();
  const redis = await startRedis(t, {
    args: [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      join(certs, 'server.pem'),
      '--tls-key-file',
      join(certs, 'server.key'),
      '--tls-ca-cert-file',
      join(certs, 'ca.pem'),
      '--tls-auth-clients',
      authClients,
    ],
  });
  return { redis, tlsPort };
}

const wmsImage = (request: UpstreamRequest): Promise<Buffer> =>
  solidPng([200, 30, 40, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);

/**
 * A TLS redis-server that asks for client certificates, and our server on `fixture` with the CA
 * and client certificate files next to its configuration (read on the first connect).
 */
async function tlsProxy(t: TestContext, fixture: string) {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const certs = await makeTempDir(t, 'redis-tls-');
  await makeCertificates(certs);
  const { redis, tlsPort } = await startTlsRedis(t, certs, 'yes');
  const proxy = await startProxy(t, fixture, { REDIS_TLS_PORT: String(tlsPort), UPSTREAM_URL: upstream.url });
  for (const file of ['ca.pem', 'client.pem', 'client.key'])
    await copyFile(join(certs, file), join(proxy.dir, file));
  return { upstream, redis, proxy };
}

test(
  'a redis cache with ssl_ca_certs, ssl_certfile and ssl_keyfile stores and serves tiles over TLS',
  { skip },
  async (t) => {
    const { upstream, redis, proxy } = await tlsProxy(t, 'system/redis-tls.yaml');

    for (const attempt of ['miss', 'hit']) {
      const res = await fetch(`${proxy.url}/wmts/red/GLOBAL_WEBMERCATOR/1/0/1.png`);
      assert.equal(res.status, 200, attempt);
      assert.equal(res.headers.get('content-type'), 'image/png');
    }
    assert.equal(upstream.requests.length, 1, 'the second request came from Redis');
    // the one tile, under the cache's prefix (GLOBAL_WEBMERCATOR counts rows from the top)
    assert.equal(await redis.command('KEYS *'), '*1\r\n$9\r\ntls-1-0-1\r\n');
  },
);

test(
  'TLS to Redis: no client certificate, or a server certificate of another CA, reads as a miss and fails writes',
  { skip },
  async (t) => {
    const certs = await makeTempDir(t, 'redis-tls-');
    await makeCertificates(certs);
    const other = await makeTempDir(t, 'redis-tls-other-');
    await makeCertificates(other, 'otherca');
    const { redis, tlsPort } = await startTlsRedis(t, certs, 'yes');
    const tile = { coord: { x: 1, y: 2, z: 3 }, data: Buffer.from('tile') };
    const cache = (name: string, tls: ConstructorParameters<typeof RedisCache>[0]['tls']) => {
      const made = new RedisCache({
        host: '127.0.0.1',
        port: tlsPort,
        prefix: name,
        ttlSeconds: 0,
        tls,
        retryDelayMs: 0,
      });
      t.after(() => made.close());
      return made;
    };
    const client = { certFile: join(certs, 'client.pem'), keyFile: join(certs, 'client.key') };

    // 1. the server asks for a client certificate
    const noCert = cache('nocert', { caFile: join(certs, 'ca.pem') });
    await assert.rejects(noCert.storeTiles([tile]), CacheError);
    assert.equal(await noCert.loadTile(tile.coord), null);

    // 2. the server's certificate is not signed by the CA we trust; unless checks are off
    const otherCa = cache('otherca', { caFile: join(other, 'otherca.pem'), ...client });
    await assert.rejects(otherCa.storeTiles([tile]), CacheError);
    const unchecked = cache('unchecked', {
      caFile: join(other, 'otherca.pem'),
      ...client,
      noCertChecks: true,
    });
    await unchecked.storeTiles([tile]);
    assert.deepEqual((await unchecked.loadTile(tile.coord))?.data, tile.data);

    // 3. a key file alone in the certificate file works too
    const both = Buffer.concat([
      await readFile(join(certs, 'client.pem')),
      await readFile(join(certs, 'client.key')),
    ]);
    await writeFile(join(certs, 'both.pem'), both);
    const combined = cache('combined', { caFile: join(certs, 'ca.pem'), certFile: join(certs, 'both.pem') });
    await combined.storeTiles([tile]);
    assert.equal(await redis.command('EXISTS combined-3-1-2'), ':1\r\n');
    assert.equal(await redis.command('EXISTS nocert-3-1-2'), ':0\r\n');
    assert.equal(await redis.command('EXISTS otherca-3-1-2'), ':0\r\n');
  },
);

test('tile_lock_redis with the same TLS keys takes its leases over TLS', { skip }, async (t) => {
  const { redis, proxy } = await tlsProxy(t, 'system/redis-tls-locks.yaml');
  const res = await fetch(`${proxy.url}/wmts/osm/GLOBAL_WEBMERCATOR/1/0/1.png`);
  assert.equal(res.status, 200);
  // the file cache stores nothing in Redis: the SET is the lease, taken on the TLS port
  assert.match(await redis.command('INFO commandstats'), /cmdstat_set:calls=1,/);
});
