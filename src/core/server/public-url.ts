/**
 * The URL a client sees, from the proxy headers exactly as MapProxy reads them (request/base.py):
 * X-Script-Name becomes the script name (and is stripped from the path when the proxy did not),
 * X-Forwarded-Host (first entry) > Host > the socket address, X-Forwarded-Proto > the connection.
 */

export interface PublicUrl {
  /** `scheme://host[:port]` + script name, no trailing slash. */
  readonly scriptUrl: string;
  /** The request path below the script name, starting with `/`. */
  readonly path: string;
}

export interface RequestLine {
  /** Raw path without the query string, as received. */
  readonly rawPath: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Scheme of the connection itself (`http` unless TLS terminates here). */
  readonly scheme: string;
  /** `host:port` the server listens on, for requests without a Host header. */
  readonly serverAddress: string;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

function header(headers: RequestLine['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Computes the script URL and the path below it for one request. */
export function publicUrl(request: RequestLine): PublicUrl {
  const scheme = header(request.headers, 'x-forwarded-proto')?.trim() || request.scheme;
  const forwardedHost = header(request.headers, 'x-forwarded-host')?.split(',')[0]?.trim();
  let host = forwardedHost || header(request.headers, 'host') || request.serverAddress;
  // the port is dropped only when it is the default of the scheme in use, and (MapProxy's
  // Request.host) never from X-Forwarded-Host, which is used as the proxy sent it
  const defaultPort = DEFAULT_PORTS[scheme];
  if (!forwardedHost && defaultPort !== undefined && host.endsWith(`:${defaultPort}`))
    host = host.slice(0, -defaultPort.length - 1);

  const scriptName = (header(request.headers, 'x-script-name') ?? '').replace(/\/+$/, '');
  let path = safeDecode(request.rawPath);
  if (scriptName !== '' && (path === scriptName || path.startsWith(`${scriptName}/`))) {
    path = path.slice(scriptName.length);
  }
  if (!path.startsWith('/')) path = `/${path}`;
  return { scriptUrl: `${scheme}://${host}${encodeURI(scriptName)}`, path };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
