/**
 * The error catalogue: codes unique across the engine, each with its module's prefix, every code
 * in the sources catalogued, and every class still constructing with each of its codes.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CacheError } from '../cache/errors.js';
import { UpstreamError } from '../client/errors.js';
import { ConfigError, ConfigErrors, type ConfigErrorCode } from '../config/errors.js';
import { GridError } from '../grid/errors.js';
import { ImageError } from '../image/errors.js';
import { DimensionValueError, MapBBoxError, MapRequestError } from '../layer/errors.js';
import { ScaffoldError } from '../scaffold/errors.js';
import { SeedError } from '../seed/errors.js';
import { ServerError } from '../server/errors.js';
import { OgcError, ServiceError } from '../service/errors.js';
import { SourceError } from '../source/errors.js';
import { SrsError } from '../srs/errors.js';
import { ToolsError } from '../tools/errors.js';
import { LogConfigError, ProxyError } from '../util/index.js';
import { ERROR_CATALOGUE, WARNING_CATALOGUE, type CatalogueEntry } from './error-catalogue.js';
import { CliError } from './errors.js';

const SRC = fileURLToPath(new URL('../../', import.meta.url));
const entries: readonly CatalogueEntry[] = ERROR_CATALOGUE;
const allCodes = [...entries, ...WARNING_CATALOGUE].flatMap((e) => e.codes);

/** How to build each class with a given code (constructors differ; fixed-code classes ignore it). */
const AT = { file: 'mapproxy.yaml', line: 1, column: 1 };
const FACTORIES = new Map<CatalogueEntry['owner'], (code: string) => ProxyError>([
  [LogConfigError, () => new LogConfigError('log.ini: missing section [loggers]')],
  [SrsError, (code) => new SrsError('m', code as never)],
  [GridError, (code) => new GridError('m', code as never, { gridName: 'g', key: 'bbox' })],
  [ImageError, (code) => new ImageError('m', code as never)],
  [UpstreamError, (code) => new UpstreamError('m', code as never, { url: 'http://h/', summary: 'HTTP Error' })],
  [SourceError, (code) => new SourceError('m', code as never, { sourceName: 's' })],
  [CacheError, (code) => new CacheError('m', code as never, { path: '/tmp/x' })],
  [MapBBoxError, () => new MapBBoxError('too many tiles')],
  [DimensionValueError, () => new DimensionValueError('time', 'never')],
  [MapRequestError, () => new MapRequestError('invalid tile size (use 256x256)')],
  [OgcError, () => new OgcError('m', 'InvalidParameterValue', { locator: 'bbox' })],
  [ServiceError, (code) => new ServiceError('m', code as never, { setting: '/wmts/{Layer}' })],
  [ConfigError, (code) => new ConfigError(code as ConfigErrorCode, AT, ['caches'], 'm')],
  [ConfigErrors, () => new ConfigErrors([new ConfigError('CONFIG_TYPE', AT, [], 'm')])],
  [ToolsError, (code) => new ToolsError('m', code as never)],
  [ServerError, (code) => new ServerError('m', code as never)],
  [SeedError, (code) => new SeedError('m', code as never)],
  [ScaffoldError, (code) => new ScaffoldError('m', code as never)],
  [CliError, (code) => new CliError('m', code as never)],
]);

/** Every non-test TypeScript file under src/, with its text. */
async function sources(): Promise<{ file: string; text: string }[]> {
  const files = (await readdir(SRC, { recursive: true, encoding: 'utf8' })).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'),
  );
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(SRC, file), 'utf8') })));
}

test('codes are unique across the engine (errors and config warnings)', () => {
  const seen = new Map<string, number>();
  for (const code of allCodes) seen.set(code, (seen.get(code) ?? 0) + 1);
  const duplicates = [...seen].filter(([, count]) => count > 1).map(([code]) => code);
  assert.deepEqual(duplicates, []);
});

test("each code is upper case and starts with its module's prefix; one prefix per module", () => {
  const prefixOf = new Map<string, string>();
  for (const e of [...entries, ...WARNING_CATALOGUE]) {
    assert.equal(prefixOf.get(e.module) ?? e.prefix, e.prefix, `module ${e.module} has two prefixes`);
    prefixOf.set(e.module, e.prefix);
    for (const code of e.codes) {
      assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      assert.ok(code.startsWith(`${e.prefix}_`), `${code} (module ${e.module}) does not start with ${e.prefix}_`);
    }
  }
  const prefixes = [...prefixOf.values()];
  assert.equal(new Set(prefixes).size, prefixes.length, 'two modules share a prefix');
});

test('every code written in the sources is in the catalogue', async () => {
  const prefixes = [...new Set(entries.map((e) => e.prefix))].join('|');
  const literal = new RegExp(`'((?:${prefixes})_[A-Z0-9_]+)'`, 'g');
  const known = new Set(allCodes);
  const unknown = (await sources()).flatMap(({ file, text }) =>
    [...text.matchAll(literal)].map((m) => m[1]!).filter((code) => !known.has(code)).map((code) => `${file}: ${code}`),
  );
  assert.deepEqual(unknown, []);
});

test('every error class is catalogued under the module whose errors.ts declares it', async () => {
  const declared = (await sources()).flatMap(({ file, text }) =>
    [...text.matchAll(/\bclass (\w+) extends (\w+)/g)]
      .filter((m) => m[2] === 'ProxyError' || entries.some((e) => e.owner.name === m[2]))
      .map((m) => `${m[1]!} in ${file}`),
  );
  const catalogued = entries.map((e) => `${e.owner.name} in ${join('core', e.module, 'errors.ts')}`);
  assert.deepEqual(declared.sort(), [...new Set(catalogued)].sort());
  // the base class takes any string: only subclasses (which narrow `code`) may be thrown
  const direct = (await sources()).filter(({ text }) => /new ProxyError\(/.test(text)).map(({ file }) => file);
  assert.deepEqual(direct, []);
});

test('each class still constructs with each of its codes', () => {
  for (const e of entries) {
    const make = FACTORIES.get(e.owner);
    assert.ok(make, `no factory for ${e.owner.name} in this test`);
    for (const code of e.codes) {
      const error = make(code);
      assert.ok(error instanceof e.owner && error instanceof ProxyError, `${e.owner.name} ${code}`);
      assert.equal(error.code, code);
      assert.equal(error.name, e.owner.name);
    }
  }
});
