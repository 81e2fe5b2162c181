/**
 * `user:pass@host` handling for upstream URLs, as MapProxy's `auth_data_from_url`: credentials are
 * split off once, sent as a header and never appear in requests, logs or errors.
 */

/** A URL without credentials plus the credentials it carried. */
export interface SplitUrl {
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
}

/**
 * Splits `scheme://user:pass@host/path` into the URL without `user:pass@` and the credentials.
 * The last `@` before the first `/` ends the credentials and the first `:` separates them, so
 * passwords may contain `@`, `:` and `#` (MapProxy `auth_data_from_url`). Like MapProxy, a URL
 * without a path gains a trailing `/`; strings without `://` come back unchanged.
 */
export function splitUrlCredentials(url: string): SplitUrl {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return { url, username: null, password: null };
  const scheme = url.slice(0, schemeEnd);
  const rest = url.slice(schemeEnd + 3);
  const slash = rest.indexOf('/');
  let host = slash < 0 ? rest : rest.slice(0, slash);
  const request = slash < 0 ? '' : rest.slice(slash + 1);
  let username: string | null = null;
  let password: string | null = null;
  const at = host.lastIndexOf('@');
  if (at >= 0) {
    const auth = host.slice(0, at);
    host = host.slice(at + 1);
    const colon = auth.indexOf(':');
    username = colon < 0 ? auth : auth.slice(0, colon);
    password = colon < 0 ? null : auth.slice(colon + 1);
  }
  return { url: `${scheme}://${host}/${request}`, username, password };
}

/** `url` without credentials, for logs and error messages. */
export function redactUrl(url: string): string {
  return splitUrlCredentials(url).url;
}

/** The `Authorization: Basic` value for the credentials, or null when there are none. */
export function basicAuthorization(username: string | null, password: string | null): string | null {
  if (username === null) return null;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
}
