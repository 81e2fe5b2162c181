/**
 * The s3 cache against the test's own S3-compatible server: MapProxy 1.15's object keys (pinned
 * from `mapproxy-seed` writing into that server), store, load, timestamps and removal, the headers
 * MapProxy sends, credentials from the environment and from a profile, `use_http_get`, and a store
 * that fails.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { startS3Server, type S3Server } from '../../../test/helpers/s3-server.js';
import { CacheError } from './errors.js';
import { S3Cache, type S3CacheOptions } from './s3-cache.js';
import { s3LockCacheId, s3TileKey } from './s3-key.js';

// credentials as the SDK's default chain reads them; no shared files or instance metadata of the host
process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';

function newCache(t: TestContext, s3: S3Server, options: Partial<S3CacheOptions> = {}): S3Cache {
  const cache = new S3Cache({
    bucket: 'tiles',
    basePath: 'osm/GLOBAL_WEBMERCATOR',
    layout: 'tms',
    extension: 'png',
    endpointUrl: s3.url,
    region: 'eu-central-1',
    ...options,
  });
  t.after(() => cache.close());
  return cache;
}

test("keys are MapProxy 1.15's: os.path.join(base, layout path) without leading slashes", () => {
  // as mapproxy-seed 1.15 wrote them (test/fixtures/s3-cache/mapproxy.yaml, levels 0-1)
  assert.equal(
    s3TileKey('plain_cache/GLOBAL_WEBMERCATOR', 'tms', { x: 1, y: 0, z: 1 }, 'png'),
    'plain_cache/GLOBAL_WEBMERCATOR/1/1/0.png',
  );
  assert.equal(
    s3TileKey('/1.0.0/custom/', 'tc', { x: 1, y: 0, z: 1 }, 'jpeg'),
    '1.0.0/custom/01/000/000/001/000/000/000.jpeg',
  );
  assert.equal(s3TileKey('', 'reverse_tms', { x: 3, y: 4, z: 2 }, 'png'), '4/3/2.png');
  assert.equal(s3TileKey('//a', 'quadkey', { x: 1, y: 0, z: 1 }, 'png'), 'a/1.png');
  // python3 -c "hashlib.md5(b'tiles/GLOBAL_WEBMERCATOR' + b'mapproxy-tiles').hexdigest()"
  assert.equal(
    s3LockCacheId('tiles/GLOBAL_WEBMERCATOR', 'mapproxy-tiles'),
    '7a8636aaad457f26fe50eddc7ff2a3f3',
  );
});

test('stores, loads, times, checks and removes tiles, signed with the credentials of the environment', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const cache = newCache(t, s3);
  const a = { x: 1, y: 0, z: 1 };
  const b = { x: 0, y: 1, z: 1 };
  assert.deepEqual(await cache.loadTiles([a, b]), [null, null]);
  assert.equal(await cache.isCached(a), false);
  const before = Math.floor(Date.now() / 1000) * 1000;
  await cache.storeTiles([
    { coord: a, data: Buffer.from('tile a') },
    { coord: b, data: Buffer.from('tile b') },
  ]);
  const objects = s3.bucket('tiles');
  assert.deepEqual([...objects.keys()].sort(), [
    'osm/GLOBAL_WEBMERCATOR/1/0/1.png',
    'osm/GLOBAL_WEBMERCATOR/1/1/0.png',
  ]);
  const stored = objects.get('osm/GLOBAL_WEBMERCATOR/1/1/0.png');
  assert.ok(stored !== undefined);
  assert.deepEqual(
    [stored.body.toString(), stored.contentType, stored.acl],
    ['tile a', 'image/png', undefined],
  );

  const [loadedA, loadedB] = await cache.loadTiles([a, b]);
  assert.equal(loadedA?.data.toString(), 'tile a');
  assert.equal(loadedB?.sizeBytes, 6);
  assert.ok((loadedA.timestampMs ?? 0) >= before, 'LastModified is the timestamp');
  assert.equal(await cache.isCached(b), true);
  assert.equal(await cache.tileTimestamp(b), loadedB.timestampMs);

  await cache.removeTile(a);
  await cache.removeTile(a); // a missing tile is no error
  assert.equal(await cache.isCached(a), false);
  assert.deepEqual([...objects.keys()], ['osm/GLOBAL_WEBMERCATOR/1/0/1.png']);
  // every request path-style on the endpoint, signed with the environment's key
  assert.ok(s3.requests.length >= 8);
  for (const request of s3.requests) {
    assert.equal(request.bucket, 'tiles');
    assert.equal(request.accessKeyId, 'AKIDFROMENV');
  }
});

test('jpeg tiles get their content type and the access_control_list as x-amz-acl, other formats neither', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const jpeg = newCache(t, s3, {
    extension: 'jpeg',
    acl: 'public-read',
    basePath: '/1.0.0/custom/',
    layout: 'tc',
  });
  const webp = newCache(t, s3, { extension: 'webp' });
  await jpeg.storeTiles([{ coord: { x: 0, y: 0, z: 0 }, data: Buffer.from('j') }]);
  await webp.storeTiles([{ coord: { x: 0, y: 0, z: 0 }, data: Buffer.from('w') }]);
  const objects = s3.bucket('tiles');
  const j = objects.get('1.0.0/custom/00/000/000/000/000/000/000.jpeg');
  assert.deepEqual([j?.contentType, j?.acl], ['image/jpeg', 'public-read']);
  assert.notEqual(objects.get('osm/GLOBAL_WEBMERCATOR/0/0/0.webp')?.contentType, 'image/webp');
});

test('profile_name signs with the profile of the shared credentials file', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const dir = await makeTempDir(t);
  const credentials = join(dir, 'credentials');
  await writeFile(credentials, '[tiles]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n');
  const saved = { ...process.env };
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  t.after(() => {
    Object.assign(process.env, saved);
  });
  const cache = newCache(t, s3, { profile: 'tiles' });
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 0 }, data: Buffer.from('p') }]);
  assert.deepEqual(
    s3.requests.map((r) => r.accessKeyId),
    ['AKIDPROFILE'],
  );
});

test('use_http_get reads with plain unsigned GETs of <endpoint>/<bucket>/<key>', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const cache = newCache(t, s3, { useHttpGet: true });
  const coord = { x: 2, y: 1, z: 2 };
  assert.equal(cache.objectUrl(coord), `${s3.url}/tiles/osm/GLOBAL_WEBMERCATOR/2/2/1.png`);
  assert.equal(await cache.loadTile(coord), null);
  await cache.storeTiles([{ coord, data: Buffer.from('plain') }]);
  assert.equal((await cache.loadTile(coord))?.data.toString(), 'plain');
  const gets = s3.requests.filter((r) => r.method === 'GET');
  assert.deepEqual(
    gets.map((r) => [r.key, r.accessKeyId]),
    [
      ['osm/GLOBAL_WEBMERCATOR/2/2/1.png', null],
      ['osm/GLOBAL_WEBMERCATOR/2/2/1.png', null],
    ],
  );
});

test('a refused write rejects with CACHE_WRITE naming the object; a failing read is a miss', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const cache = newCache(t, s3);
  const coord = { x: 0, y: 0, z: 0 };
  const refused = s3.fail({ when: (r) => r.method === 'PUT', status: 403, code: 'AccessDenied' });
  await assert.rejects(cache.storeTiles([{ coord, data: Buffer.from('x') }]), (error: unknown) => {
    assert.ok(error instanceof CacheError);
    assert.equal(error.code, 'CACHE_WRITE');
    assert.match(error.message, /s3:\/\/tiles\/osm\/GLOBAL_WEBMERCATOR\/0\/0\/0\.png: AccessDenied/);
    return true;
  });
  refused.clear();
  await cache.storeTiles([{ coord, data: Buffer.from('x') }]);
  const broken = s3.fail({
    when: (r) => r.method === 'GET' || r.method === 'HEAD',
    status: 403,
    code: 'AccessDenied',
  });
  assert.equal(await cache.loadTile(coord), null);
  assert.equal(await cache.isCached(coord), false);
  broken.clear();
  assert.equal((await cache.loadTile(coord))?.data.toString(), 'x');
  // a bucket that does not exist
  const missing = newCache(t, s3, { bucket: 'nope' });
  await assert.rejects(
    missing.storeTiles([{ coord, data: Buffer.from('x') }]),
    /s3:\/\/nope\/.*NoSuchBucket/,
  );
});
