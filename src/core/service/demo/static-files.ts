/**
 * `/demo/static/*`: OpenLayers (`ol` package) and proj4 straight from node_modules, read once
 * and kept in memory, plus the demo's own stylesheet and viewer script. Nothing else is served.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ServiceResponse } from '../types.js';
import { SITE_CSS } from './site-css.js';
import { VIEWER_JS } from './viewer-js.js';

interface StaticFile {
  readonly contentType: string;
  /** A module-relative path resolved through node's resolution, or the content itself. */
  readonly source: { readonly module: string } | { readonly text: string };
}

const FILES: Readonly<Record<string, StaticFile>> = {
  'ol.js': { contentType: 'application/javascript', source: { module: 'ol/dist/ol.js' } },
  'ol.css': { contentType: 'text/css', source: { module: 'ol/ol.css' } },
  'proj4.js': { contentType: 'application/javascript', source: { module: 'proj4/dist/proj4.js' } },
  'site.css': { contentType: 'text/css', source: { text: SITE_CSS } },
  'viewer.js': { contentType: 'application/javascript', source: { text: VIEWER_JS } },
};

const require = createRequire(import.meta.url);
const loaded = new Map<string, Promise<Buffer>>();

function load(name: string, file: StaticFile): Promise<Buffer> {
  let content = loaded.get(name);
  if (content === undefined) {
    const { source } = file;
    content =
      'text' in source ? Promise.resolve(Buffer.from(source.text)) : readFile(require.resolve(source.module));
    // a failed read is not cached: the next request tries again
    content.catch(() => loaded.delete(name));
    loaded.set(name, content);
  }
  return content;
}

/** The static file `name` (the path below `/demo/static/`), or a plain-text 404 as MapProxy. */
export async function staticFile(name: string): Promise<ServiceResponse> {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (file === undefined) {
    return { status: 404, contentType: 'text/plain', body: 'file not found', cache: { kind: 'none' } };
  }
  // MapProxy serves static demo files without caching headers
  return {
    status: 200,
    contentType: file.contentType,
    body: await load(name, file),
    cache: { kind: 'none' },
  };
}
