/**
 * `--bind` parsing with MapProxy's rules: `8081`, `host`, `host:port` or `:port`; default
 * `127.0.0.1:8080`. `:port` listens on every interface but is shown as localhost, as MapProxy does.
 */
import { ServerError } from './errors.js';

export interface BindAddress {
  /** Address to listen on. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Host name for the printed URL. */
  readonly displayHost: string;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8080;

/**
 * Parses a `--bind` value (`flag` names the option in the message, e.g. `--metrics-bind`). Throws
 * `ServerError` (`SERVER_BAD_BIND`) for anything else.
 */
export function parseBind(value: string | undefined, flag = '--bind'): BindAddress {
  const text = (value ?? '').trim();
  if (text === '') return { host: DEFAULT_HOST, port: DEFAULT_PORT, displayHost: DEFAULT_HOST };
  if (/^\d+$/.test(text))
    return { host: 'localhost', port: toPort(text, value, flag), displayHost: 'localhost' };
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: text, port: DEFAULT_PORT, displayHost: text };
  // an IPv6 address without brackets has no port (`::1`: the port goes after `[::1]`)
  if (!text.startsWith('[') && text.indexOf(':') !== colon) {
    return { host: text, port: DEFAULT_PORT, displayHost: text };
  }
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = toPort(text.slice(colon + 1), value, flag);
  // MapProxy: an empty host binds all interfaces but the banner says localhost
  if (host === '') return { host: '0.0.0.0', port, displayHost: 'localhost' };
  return { host, port, displayHost: host };
}

function toPort(text: string, original: string | undefined, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new ServerError(
      `invalid ${flag} value "${original ?? ''}": expected PORT, HOST or HOST:PORT (e.g. 127.0.0.1:8080)`,
      'SERVER_BAD_BIND',
    );
  }
  return port;
}

/** `host:port` as a URL and messages write it: an IPv6 address in brackets (`[::1]:8080`). */
export function hostAndPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${String(port)}`;
}
