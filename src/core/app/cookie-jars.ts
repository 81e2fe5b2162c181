/**
 * One cookie jar per configured source with `http.manage_cookies` (its own or `globals.http`),
 * shared by its map, tagged (`name:layers`) and feature-info requests, as MapProxy's one opener
 * serves all of a source's clients.
 */
import { CookieJar } from '../client/index.js';
import type { LoadedConfig } from '../config/index.js';

const jars = new WeakMap<LoadedConfig, Map<string, CookieJar>>();

/** The jar of source `name` (without a `:layers` tag), or undefined without `manage_cookies`. */
export function sourceCookieJar(loaded: LoadedConfig, name: string): CookieJar | undefined {
  const source = loaded.config.sources[name] as { http?: { manage_cookies?: boolean } } | undefined;
  const manage = source?.http?.manage_cookies ?? loaded.config.globals.http.manage_cookies;
  if (source === undefined || !manage) return undefined;
  let byName = jars.get(loaded);
  if (byName === undefined) {
    byName = new Map();
    jars.set(loaded, byName);
  }
  let jar = byName.get(name);
  if (jar === undefined) {
    jar = new CookieJar();
    byName.set(name, jar);
  }
  return jar;
}
