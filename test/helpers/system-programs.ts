/**
 * The one place that decides whether a test can use a system program (xmllint, nginx, ...): tests
 * skip with the program and its Debian package named, and under CI they fail instead, so a missing
 * install step in .ci/run cannot hide behind skipped tests.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The system programs tests use, with how to tell they are there and where they come from. */
const PROGRAMS = {
  xmllint: { files: ['xmllint'], package: 'libxml2-utils' },
  nginx: { files: ['nginx'], package: 'nginx' },
  apache2: { files: ['/usr/sbin/apache2'], package: 'apache2' },
  mapserv: { files: [process.env.MAPSERV ?? '/usr/lib/cgi-bin/mapserv'], package: 'cgi-mapserver' },
  gdal: { files: ['gdal_translate', 'gdalinfo'], package: 'gdal-bin' },
  ogr2ogr: { files: ['ogr2ogr', 'ogrinfo'], package: 'gdal-bin' },
  chromium: { files: ['/usr/bin/chromium'], package: 'chromium' },
  owslib: { files: [], python: 'owslib', package: 'python3-owslib' },
  'redis-server': { files: ['redis-server'], package: 'redis-server' },
  openssl: { files: ['openssl'], package: 'openssl' },
  xsltproc: { files: ['xsltproc'], package: 'xsltproc' },
  wrk: { files: ['wrk'], package: 'wrk' },
} satisfies Record<string, { files: string[]; python?: string; package: string }>;

export type SystemProgram = keyof typeof PROGRAMS;

/** The Python the OWSLib test runs: Debian's, where python3-owslib installs. */
export const SYSTEM_PYTHON = isExecutable('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const known = new Map<SystemProgram, boolean>();

/**
 * Why a test cannot run here, as `needs xmllint (apt-get install libxml2-utils)`, or `false` when
 * every program is installed. Use it as a test option (`test(name, { skip: needs('nginx') }, fn)`)
 * or inside a test (`const why = needs('xmllint'); if (why) t.skip(why)`).
 *
 * Throws when a program is missing and `CI` is set (`.ci/run` sets it): CI installs them all and
 * must not skip any test.
 */
export function needs(...programs: SystemProgram[]): string | false {
  const missing = programs.filter((program) => !isInstalled(program));
  if (missing.length === 0) return false;
  const reason = `needs ${missing.join(', ')} (apt-get install ${[...new Set(missing.map((p) => PROGRAMS[p].package))].join(' ')})`;
  if (isCi()) throw new Error(`CI=${process.env.CI ?? ''}: a test ${reason}; .ci/run must install it`);
  return reason;
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

function isInstalled(program: SystemProgram): boolean {
  let installed = known.get(program);
  if (installed === undefined) {
    const spec: { files: string[]; python?: string } = PROGRAMS[program];
    installed =
      spec.files.every((file) => (isAbsolute(file) ? isExecutable(file) : onPath(file))) &&
      (spec.python === undefined ||
        spawnSync(SYSTEM_PYTHON, ['-c', `import ${spec.python}`], { stdio: 'ignore' }).status === 0);
    known.set(program, installed);
  }
  return installed;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, command)));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
