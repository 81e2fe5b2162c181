/**
 * `http.manage_cookies`: the cookies an upstream sets, sent back to it on later requests, as
 * MapProxy's urllib opener with an `HTTPCookieProcessor(CookieJar())` does (RFC 6265 matching:
 * domain, path, expiry, `Secure`). In memory only; nothing survives a restart, as in MapProxy.
 */

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-case host (host-only cookie) or domain without the leading dot. */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  /** Epoch ms, or null for a session cookie (kept until the process ends). */
  readonly expiresMs: number | null;
}

/** One upstream's cookies. `now` is injectable for tests of expiry. */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The `Cookie` header for a request to `url` (longer paths first, RFC 6265 5.4), or null. */
  headerFor(url: URL): string | null {
    const now = this.#now();
    const host = url.hostname.toLowerCase();
    const matching = [...this.#cookies.entries()].filter(([key, cookie]) => {
      if (cookie.expiresMs !== null && cookie.expiresMs <= now) {
        this.#cookies.delete(key);
        return false;
      }
      if (cookie.secure && url.protocol !== 'https:') return false;
      const domainOk = cookie.hostOnly ? host === cookie.domain : domainMatches(host, cookie.domain);
      return domainOk && pathMatches(url.pathname, cookie.path);
    });
    if (matching.length === 0) return null;
    matching.sort(([, a], [, b]) => b.path.length - a.path.length);
    return matching.map(([, c]) => `${c.name}=${c.value}`).join('; ');
  }

  /** Stores every `Set-Cookie` header of a response to `url`; ignores ones it may not set. */
  store(url: URL, setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const cookie = parseSetCookie(header, url, this.#now());
      if (cookie === null) continue;
      const key = `${cookie.domain};${cookie.path};${cookie.name}`;
      // an expiry in the past deletes the cookie (how servers log a client out)
      if (cookie.expiresMs !== null && cookie.expiresMs <= this.#now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 5.1.4: the directory of the request path. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

function parseSetCookie(header: string, url: URL, now: number): StoredCookie | null {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const host = url.hostname.toLowerCase();
  let domain: string | null = null;
  let path: string | null = null;
  let secure = false;
  let expiresMs: number | null = null;
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const arg = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'domain' && arg !== '') domain = arg.replace(/^\./, '').toLowerCase();
    else if (key === 'path' && arg.startsWith('/')) path = arg;
    else if (key === 'secure') secure = true;
    else if (key === 'max-age' && /^-?\d+$/.test(arg)) {
      // Max-Age wins over Expires (RFC 6265 5.3 step 3)
      maxAgeSeen = true;
      expiresMs = now + Number(arg) * 1000;
    } else if (key === 'expires' && !maxAgeSeen) {
      const parsed = Date.parse(arg);
      if (!Number.isNaN(parsed)) expiresMs = parsed;
    }
  }
  // a server may set cookies for its own domain and parents of it, never for another one
  if (domain !== null && !domainMatches(host, domain)) return null;
  return {
    name,
    value,
    domain: domain ?? host,
    hostOnly: domain === null,
    path: path ?? defaultPath(url),
    secure,
    expiresMs,
  };
}
