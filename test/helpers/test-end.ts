/**
 * Cleanups that run when a test ends even after another cleanup failed. node:test runs a test's
 * `after` hooks in the order they were added and skips the rest once one throws: an unmet upstream
 * expectation, or a temporary directory removed while a server still wrote into it, left the
 * test's `serve` processes running and its file waiting for them until the 300 s timeout.
 */
import type { TestContext } from 'node:test';

/**
 * Runs `cleanup` once when the test ends: as an `after` hook in its turn, or, when an earlier hook
 * failed and node:test skipped this one, once the test's signal aborts (node:test aborts it after
 * the hooks, whatever they did). A failure there is not reported: the test has already failed.
 */
export function atTestEnd(t: TestContext, cleanup: () => unknown): void {
  let run: Promise<unknown> | undefined;
  const once = (): Promise<unknown> => (run ??= Promise.resolve().then(cleanup));
  t.after(once);
  t.signal.addEventListener(
    'abort',
    () => {
      once().catch(() => undefined);
    },
    { once: true },
  );
}
