/**
 * The MapProxy 1.15 reference outputs in test/fixtures/mapproxy-1.15 (see its README.md): the
 * cases of cases.tsv with their captured stdout, stderr and exit code, and a tolerant comparison.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const REFERENCE_DIR = join(REPO_DIR, 'test/fixtures/mapproxy-1.15');

/** One captured `mapproxy-util` run. */
export interface ReferenceCase {
  /** e.g. `grids/grid_conf.all` */
  readonly name: string;
  /** The arguments with `{repo}` filled in. */
  readonly args: readonly string[];
  /** MapProxy's stdout without its `[TIMESTAMP] mapproxy.config - WARNING` log lines. */
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Loads the cases whose name starts with `prefix` (e.g. `grids/`). */
export async function loadReferenceCases(prefix: string): Promise<ReferenceCase[]> {
  const table = await readFile(join(REFERENCE_DIR, 'cases.tsv'), 'utf8');
  const cases: ReferenceCase[] = [];
  for (const line of table.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name = '', args = ''] = line.split('\t');
    if (!name.startsWith(prefix)) continue;
    const read = (ext: string): Promise<string> =>
      readFile(join(REFERENCE_DIR, `${name}.${ext}`), 'utf8').then(fillPlaceholders);
    cases.push({
      name,
      args: args
        .split(' ')
        .filter((arg) => arg !== '')
        .map(fillPlaceholders),
      stdout: withoutLogLines(await read('stdout')),
      stderr: await read('stderr'),
      exitCode: Number((await read('exit')).trim()),
    });
  }
  assert.ok(cases.length > 0, `no reference cases start with ${prefix}`);
  return cases;
}

function fillPlaceholders(text: string): string {
  return text.replaceAll('{repo}', REPO_DIR.replace(/\/$/, ''));
}

/** MapProxy logs config warnings to stdout; we send them to stderr in our own format. */
function withoutLogLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('[TIMESTAMP] '))
    .join('\n');
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * Asserts `actual` equals `expected` line by line, except that numbers may differ by a relative
 * `tolerance` (and so change the column padding). Everything that is not a number must be equal.
 */
export function assertSameWithTolerance(
  actual: string,
  expected: string,
  tolerance: number,
  label: string,
): void {
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  assert.equal(actualLines.length, expectedLines.length, `${label}: line count\n${actual}`);
  expectedLines.forEach((want, i) => {
    const got = actualLines[i] ?? '';
    if (got === want) return;
    const gotTokens = tokens(got);
    const wantTokens = tokens(want);
    const message = `${label} line ${i + 1}:\n  actual:   ${got}\n  expected: ${want}`;
    assert.equal(gotTokens.length, wantTokens.length, message);
    wantTokens.forEach((token, j) => {
      const other = gotTokens[j] ?? '';
      if (NUMBER.test(token) && NUMBER.test(other)) {
        const a = Number(other);
        const b = Number(token);
        assert.ok(Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)), message);
      } else {
        assert.equal(other, token, message);
      }
    });
  });
}

function tokens(line: string): string[] {
  return line.split(/[\s,[\]]+/).filter((token) => token !== '');
}
