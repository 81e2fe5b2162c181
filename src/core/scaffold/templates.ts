/**
 * `create -t NAME DEST`: the templates in templates/ and how each is written, following
 * MapProxy's `mapproxy-util create` (script/util.py): never overwrite without `force`.
 */
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDirectory } from '../util/index.js';
import { ScaffoldError } from './errors.js';

/** The templates directory of the package (same depth from src/ and dist/). */
const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

/**
 * The engine a server script falls back to when `mapproxy-ts` cannot be imported beside it: this
 * package's built entry (plain `node` cannot run the TypeScript sources).
 */
const BUILT_ENGINE = new URL('../../../dist/core/index.js', import.meta.url).href;

export interface TemplateInfo {
  readonly name: string;
  readonly summary: string;
  /** `-f/--mapproxy-conf` is required. */
  readonly needsConfig: boolean;
}

const TEMPLATES: readonly TemplateInfo[] = [
  { name: 'base-config', summary: 'mapproxy.yaml, seed.yaml and full examples into directory DEST', needsConfig: false },
  { name: 'wsgi-app', summary: 'server script DEST (.js) exporting `application` for MAPPROXY_CONF', needsConfig: true },
  { name: 'log-ini', summary: 'Python-style logging configuration DEST for --log-config', needsConfig: false },
  { name: 'seed', summary: 'an example seed.yaml written to DEST', needsConfig: false },
];

/** Every template `create -t` knows, in a stable order. */
export function listTemplates(): readonly TemplateInfo[] {
  return TEMPLATES;
}

export interface WriteTemplateOptions {
  /** The mapproxy.yaml a server script serves (`wsgi-app`). */
  readonly mapproxyConf?: string;
  /** Overwrite existing files. */
  readonly force?: boolean;
  /** Called with each path before it is written (the command prints them). */
  readonly onWrite?: (file: string) => void;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function refuseExisting(file: string, force: boolean | undefined): Promise<void> {
  if (force !== true && (await exists(file))) {
    throw new ScaffoldError(`${file} already exists, use --force`, 'SCAFFOLD_EXISTS');
  }
}

/** Why `file` could not be written, with the fix where there is one (MapProxy: a traceback). */
function writeFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const dir = dirname(file);
  if (code === 'ENOENT') return `the directory ${dir} does not exist (create it first: mkdir -p ${dir})`;
  if (code === 'ENOTDIR') return `a part of ${dir} is a file, not a directory`;
  if (code === 'EISDIR') return 'it is a directory; give a file name';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `no permission to write in ${dir} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes template `name` to `dest` and resolves with the written paths. Throws `ScaffoldError`:
 * `SCAFFOLD_UNKNOWN_TEMPLATE`, `SCAFFOLD_NEEDS_CONFIG` (wsgi-app without `mapproxyConf`), or
 * `SCAFFOLD_EXISTS` when a file is there and `force` is not set (nothing is written then),
 * `SCAFFOLD_WRITE` when a file cannot be written (a missing directory, no permission).
 */
export async function writeTemplate(name: string, dest: string, options: WriteTemplateOptions = {}): Promise<string[]> {
  const written: string[] = [];
  const put = async (file: string, write: () => Promise<void>): Promise<void> => {
    options.onWrite?.(file);
    try {
      await write();
    } catch (error) {
      throw new ScaffoldError(`cannot write ${file}: ${writeFailure(file, error)}`, 'SCAFFOLD_WRITE', { cause: error });
    }
    written.push(file);
  };
  switch (name) {
    case 'base-config': {
      const files = ['mapproxy.yaml', 'seed.yaml', 'full_example.yaml', 'full_seed_example.yaml'];
      for (const file of files) await refuseExisting(join(dest, file), options.force);
      await ensureDirectory(dest).catch((error: unknown) => {
        throw new ScaffoldError(`cannot create ${dest}: ${writeFailure(dest, error)}`, 'SCAFFOLD_WRITE', { cause: error });
      });
      for (const file of files) {
        const to = join(dest, file);
        await put(to, () => copyFile(join(TEMPLATES_DIR, 'base-config', file), to));
      }
      return written;
    }
    case 'wsgi-app': {
      if (options.mapproxyConf === undefined) {
        throw new ScaffoldError('template requires --mapproxy-conf option', 'SCAFFOLD_NEEDS_CONFIG');
      }
      // MapProxy appends .py to a name without an extension; a server script here is .js
      const file = basename(dest).includes('.') ? dest : `${dest}.js`;
      await refuseExisting(file, options.force);
      const conf = resolve(options.mapproxyConf);
      const text = (await readFile(join(TEMPLATES_DIR, 'wsgi-app', 'app.js'), 'utf8'))
        .replaceAll('{{toolkit}}', JSON.stringify(BUILT_ENGINE))
        .replaceAll('{{mapproxy_conf}}', JSON.stringify(conf))
        .replaceAll('{{log_ini}}', JSON.stringify(join(dirname(conf), 'log.ini')));
      await put(file, () => writeFile(file, text));
      return written;
    }
    case 'log-ini':
    case 'seed': {
      await refuseExisting(dest, options.force);
      const source = name === 'seed' ? join('seed', 'seed.yaml') : join('log-ini', 'log.ini');
      await put(dest, () => copyFile(join(TEMPLATES_DIR, source), dest));
      return written;
    }
    default:
      throw new ScaffoldError(
        `unknown template ${name} (known: ${TEMPLATES.map((t) => t.name).join(', ')})`,
        'SCAFFOLD_UNKNOWN_TEMPLATE',
      );
  }
}
