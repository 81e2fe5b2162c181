/**
 * The text of MapProxy's `expire_tiles` files (`util/geom.py` `load_expire_tiles`): `z/x/y` lines
 * of web-mercator tiles. Pure parsing; seed/ and app/ read the files.
 */

/** One parsed line: the numbers between the slashes and the 1-based line number. */
export interface ExpireTileLine {
  readonly numbers: readonly number[];
  readonly line: number;
}

/** What `parseExpireTiles` found in one file. */
export interface ParsedExpireTiles {
  readonly lines: readonly ExpireTileLine[];
  /** The first line that is not a number list; it and the rest of the file were skipped. */
  readonly errorLine: number | null;
}

// Python int(): surrounding whitespace, a sign, digits with single underscores
const PY_INT = /^\s*([+-]?\d+(?:_\d+)*)\s*$/;

/**
 * Parses an expire tiles file as MapProxy does: every line split at `/` into Python ints; the
 * first line where that fails (an empty line too) ends the file, keeping the lines before it.
 */
export function parseExpireTiles(text: string): ParsedExpireTiles {
  // Python text files: universal newlines, every line keeps its terminator, no empty last line
  const rows = text.replace(/\r\n?/g, '\n').split(/(?<=\n)/);
  const lines: ExpireTileLine[] = [];
  for (const [i, row] of rows.entries()) {
    if (row === '') continue;
    const numbers: number[] = [];
    for (const part of row.split('/')) {
      const m = PY_INT.exec(part);
      if (m === null) return { lines, errorLine: i + 1 };
      numbers.push(Number((m[1] ?? '').replaceAll('_', '')));
    }
    lines.push({ numbers, line: i + 1 });
  }
  return { lines, errorLine: null };
}
