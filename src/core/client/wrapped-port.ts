/**
 * URLs with a port above 65535. WHATWG `new URL` refuses them; MapProxy (Python's http.client
 * and glibc's getaddrinfo) connects to the port modulo 65536 instead, so a source configured
 * on `localhost:99998` fails with `No response from URL "…": Connection refused`, not with an
 * invalid URL. We connect where MapProxy does and keep the configured URL for messages.
 */

const PORT = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*:)(\d+)([/?#].*)?$/is;

/** `url` parsed; a decimal port above 65535 wraps as in MapProxy. Throws as `new URL` otherwise. */
export function parseUpstreamUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    const match = PORT.exec(url);
    const port = match === null ? NaN : Number(match[2]);
    if (match === null || !Number.isSafeInteger(port) || port <= 65535) throw error;
    return new URL(`${match[1] ?? ''}${String(port % 65536)}${match[3] ?? ''}`);
  }
}
