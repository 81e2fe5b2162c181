/**
 * Query strings as MapProxy reads them: keys case-insensitive (lower-cased); a repeated key keeps
 * its first value, except the keys MapProxy reads through `RequestParams.__getitem__`, which joins
 * every value with ",".
 */

/**
 * Keys whose repeated values MapProxy 1.15 joins: `LAYERS=a&LAYERS=b` asks for a,b (the layers
 * property concatenates `get_all`) and `SRS=EPSG:4326&SRS=EPSG:3857` answers "unsupported srs:
 * EPSG:4326,EPSG:3857"; BBOX, WIDTH, REQUEST and the rest take their first value.
 */
const JOINED_KEYS = new Set(['layers', 'query_layers', 'srs', 'crs', 'styles', 'format', 'exceptions']);

/** Parses the query part of a URL (without `?`); `+` is a space, as in form encoding. */
export function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const lower = key.toLowerCase();
    if (!(lower in query)) query[lower] = value;
    else if (JOINED_KEYS.has(lower)) query[lower] = `${query[lower]},${value}`;
  }
  return query;
}
