/**
 * Node flags of the `serve` worker processes: the primary's own, plus a small young generation
 * unless the command line sets one.
 */

/**
 * V8's default lets each worker's new space grow to 16 MB semi-spaces, which a WMS worker fills
 * with short-lived request garbage: measured on the bench (`serve -w 1`, 96 maps 512x512), peak
 * RSS per worker went from ~270 to ~200 MB with 2 MB semi-spaces at the same CPU per map.
 */
const SEMI_SPACE_MB = 2;

/** `execArgv` with `--max-semi-space-size=2` added when no `--max-semi-space-size` is given. */
export function workerNodeFlags(execArgv: readonly string[]): string[] {
  const given = execArgv.some((flag) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(flag));
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`];
}
