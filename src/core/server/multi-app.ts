/**
 * `makeMultiApp`, our MultiMapProxy: `DIR/proj1.yaml` answers under `/proj1/`, built on first
 * use, kept in an LRU (default 100 as MapProxy), rebuilt when its files change. Names that are
 * not a plain file name in DIR (`..`, encoded slashes, dot files) are a 404, never a path.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadServedApp, type AppLoader } from '../app/index.js';
import { escapeXml, getLogger, VERSION } from '../util/index.js';
import { buildHttpServer } from './build-server.js';
import { handleRequest, type HttpReply, type HttpRequest } from './handle-request.js';
import { loadReloadableApp, type ReloadableApp } from './reloadable-app.js';
import { publicUrl } from './public-url.js';

export interface MultiAppOptions {
  /** List the projects on the root page. MapProxy's default for `make_wsgi_app`: true. */
  readonly allowListing?: boolean;
  /** Most projects kept built at once; the least recently used is dropped. Default 100. */
  readonly maxApps?: number;
  readonly debug?: boolean;
  /** Replaces the composition root (tests). */
  readonly loadApp?: AppLoader;
}

const log = getLogger('mapproxy.multiapp');
const PROJECT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SUFFIX = '.yaml';

const notFound = (): HttpReply => ({ status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'not found' });

/** The multiapp's request handler; `close()` releases the projects' caches. */
export interface MultiAppHandler {
  (request: HttpRequest): Promise<HttpReply>;
  close(): Promise<void>;
}

/** Closes a project's app once it has loaded (a project that failed to load holds nothing). */
function closeProject(app: Promise<ReloadableApp>): Promise<void> {
  return app.then(
    (loaded) => loaded.close(),
    () => undefined,
  );
}

/** Routes requests to the projects of `configDir`; the request handler of the multiapp server. */
export function multiAppHandler(configDir: string, options: MultiAppOptions = {}): MultiAppHandler {
  const dir = resolve(configDir);
  const maxApps = options.maxApps ?? 100;
  const loadApp = options.loadApp ?? loadServedApp;
  const apps = new Map<string, Promise<ReloadableApp>>();

  const isProject = async (name: string): Promise<boolean> =>
    PROJECT_NAME.test(name) &&
    stat(join(dir, `${name}${SUFFIX}`)).then(
      (s) => s.isFile(),
      () => false,
    );

  const project = (name: string): Promise<ReloadableApp> => {
    let app = apps.get(name);
    if (app === undefined) {
      log.info(`initializing project app ${name} with ${join(dir, `${name}${SUFFIX}`)}`);
      app = loadReloadableApp(join(dir, `${name}${SUFFIX}`), loadApp);
      // a project that fails to load is tried again on its next request
      void app.catch(() => apps.delete(name));
    }
    apps.delete(name);
    apps.set(name, app);
    for (const [oldest, dropped] of apps) {
      if (apps.size <= maxApps) break;
      apps.delete(oldest);
      // requests still running on it reopen what they need
      void closeProject(dropped);
    }
    return app;
  };

  const listing = async (scriptUrl: string): Promise<HttpReply> => {
    let html = `<html><body><h1>Welcome to MapProxy ${escapeXml(VERSION)}</h1>`;
    if (options.allowListing === true) {
      const names = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length));
      const projects = (await Promise.all(names.map(async (n) => ((await isProject(n)) ? n : null)))).filter((n) => n !== null);
      html += '<h2>available instances:</h2><ul>';
      html += projects.sort().map((n) => `<li><a href="${escapeXml(scriptUrl)}/${escapeXml(n)}/">${escapeXml(n)}</a></li>`).join('\n');
      html += '</ul>';
    }
    html += '</body></html>';
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
  };

  const handler = async (request: HttpRequest): Promise<HttpReply> => {
    // 1. the project is the first raw segment below the script name, decoded once: an encoded
    //    slash stays inside the name and fails the name check
    const queryAt = request.url.indexOf('?');
    const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : request.url.slice(queryAt);
    const scriptName = (firstHeader(request.headers['x-script-name']) ?? '').replace(/\/+$/, '');
    const below = scriptName !== '' && rawPath.startsWith(`${scriptName}/`) ? rawPath.slice(scriptName.length) : rawPath;
    const [, rawName = '', rest = ''] = /^\/([^/]*)(.*)$/.exec(below) ?? [];
    if (rawName === '') return listing(publicUrl({ ...request, rawPath }).scriptUrl);
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      return notFound();
    }
    if (!(await isProject(name))) return notFound();
    let app: ReloadableApp;
    try {
      app = await project(name);
      await app.refresh();
    } catch (error) {
      // 2. a broken project answers 500 for itself only; the others keep serving
      log.error(`project ${name} cannot be loaded:\n${error instanceof Error ? error.message : String(error)}`);
      return { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'internal error: configuration of this project is broken' };
    }
    // 3. the project's app sees itself mounted at SCRIPT_NAME/name, so its URLs carry the prefix
    const headers = { ...request.headers, 'x-script-name': `${scriptName}/${name}` };
    return handleRequest(app.current(), { ...request, url: `${rest === '' ? '/' : rest}${query}`, headers }, { debug: options.debug === true });
  };
  return Object.assign(handler, {
    close: async () => {
      const loaded = [...apps.values()];
      apps.clear();
      await Promise.all(loaded.map(closeProject));
    },
  });
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A Node request handler for the multiapp (mountable like `makeApp`'s); `close()` releases it. */
export interface MultiMapProxyApplication {
  (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void;
  close(): Promise<void>;
}

/** Builds the multiapp for `configDir` as a Node request handler. */
export async function makeMultiApp(configDir: string, options: MultiAppOptions = {}): Promise<MultiMapProxyApplication> {
  const projects = multiAppHandler(configDir, options);
  const server = buildHttpServer(projects);
  await server.ready();
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    server.routing(req, res);
  };
  return Object.assign(handler, {
    close: async () => {
      await server.close();
      await projects.close();
    },
  });
}
