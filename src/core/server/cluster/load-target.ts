/**
 * What `mapproxy-util serve` runs: a mapproxy.yaml (through `makeApp`) or a server script that
 * exports `application` (`create -t wsgi-app`). Inside such a script `import 'mapproxy-ts'`
 * resolves to this very engine, so the script needs no install of its own and shares logging.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { register } from 'node:module';
import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProxyError } from '../../util/index.js';
import { ServerError } from '../errors.js';
import { makeApp } from '../make-app.js';

/** A Node request handler, with `close` when it holds resources. */
export interface LoadedApplication {
  (req: IncomingMessage, res: ServerResponse): void;
  close?: () => Promise<void>;
}

/** Script file names `serve` imports instead of reading as YAML. */
export function isServerScript(target: string): boolean {
  return /\.(c|m)?js$/i.test(target);
}

let hookRegistered = false;

/**
 * Lets `import ... from 'mapproxy-ts'` in a server script load this engine (src through tsx, or
 * dist), and loads the script itself as an ES module whatever the nearest package.json says.
 */
function registerScriptHooks(scriptUrl: string): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const here = fileURLToPath(import.meta.url);
  const coreIndex = new URL(`../../index${extname(here)}`, import.meta.url).href;
  const hook = [
    'let data;',
    'export function initialize(value) { data = value; }',
    'export async function resolve(specifier, context, next) {',
    // on down the chain: run from the sources, tsx resolves (and so loads) the .ts index it names
    "  if (specifier === 'mapproxy-ts') return next(data.coreIndex, context);",
    "  if (specifier === data.scriptUrl) return { url: specifier, format: 'module', shortCircuit: true };",
    '  return next(specifier, context);',
    '}',
  ].join('\n');
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { coreIndex, scriptUrl } });
}

/**
 * Loads `target`: a `.js`/`.mjs` script is imported and must export `application` (a handler or a
 * promise of one); anything else is a configuration file for `makeApp`. Rejects with the
 * configuration's errors, or `ServerError` (`SERVER_BAD_SCRIPT`) for a script without `application`.
 * `warmUp` (a configuration file only, default true): what its first requests would load is
 * loaded first, as a worker that is about to listen wants; a load that only checks the target
 * passes false.
 */
export async function loadTarget(
  target: string,
  options: { debug?: boolean; warmUp?: boolean } = {},
): Promise<LoadedApplication> {
  if (!isServerScript(target))
    return makeApp(target, { debug: options.debug === true, warmUp: options.warmUp ?? true });
  const scriptUrl = pathToFileURL(resolve(target)).href;
  registerScriptHooks(scriptUrl);
  let module: { application?: unknown };
  try {
    module = (await import(scriptUrl)) as { application?: unknown };
  } catch (error) {
    // a missing or broken script is the user's to fix, not a crash; the script's own
    // configuration errors (a top-level `await makeApp(...)`) keep their file:line
    if (error instanceof ProxyError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServerError(`cannot load ${target}: ${reason}`, 'SERVER_BAD_SCRIPT', { cause: error });
  }
  const application: unknown = await module.application;
  if (typeof application !== 'function') {
    throw new ServerError(`${target} does not export an "application" request handler`, 'SERVER_BAD_SCRIPT');
  }
  return application as LoadedApplication;
}
