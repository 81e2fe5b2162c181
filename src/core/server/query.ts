/** Query strings as MapProxy reads them: keys case-insensitive (lower-cased), first value wins. */

/** Parses the query part of a URL (without `?`); `+` is a space, as in form encoding. */
export function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const lower = key.toLowerCase();
    if (!(lower in query)) query[lower] = value;
  }
  return query;
}
