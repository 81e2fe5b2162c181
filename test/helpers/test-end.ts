/**
 * Cleanups that run when a test ends even after another cleanup failed. node:test runs a test's
 * `after` hooks in the order they were added and skips the rest once one throws: an unmet upstream
 * expectation, or a temporary directory removed while a server still wrote into it, left the
 * test's `serve` processes running and its file waiting for them until the 300 s timeout.
 */
import type { TestContext } from 'node:test';

/**
 * The cleanups of each test that still have to run when its signal aborts. One abort listener a
 * test: a listener per cleanup made a test with more than ten of them print Node's
 * MaxListenersExceededWarning ("Possible EventTarget memory leak") into the suite's output.
 */
const pendingAtAbort = new WeakMap<TestContext, Set<() => Promise<unknown>>>();

/**
 * Runs `cleanup` once when the test ends: as an `after` hook in its turn, or, when an earlier hook
 * failed and node:test skipped this one, once the test's signal aborts (node:test aborts it after
 * the hooks, whatever they did). A failure there is not reported: the test has already failed.
 */
export function atTestEnd(t: TestContext, cleanup: () => unknown): void {
  let run: Promise<unknown> | undefined;
  const once = (): Promise<unknown> => (run ??= Promise.resolve().then(cleanup));
  t.after(once);
  let pending = pendingAtAbort.get(t);
  if (pending === undefined) {
    const cleanups = new Set<() => Promise<unknown>>();
    pending = cleanups;
    pendingAtAbort.set(t, cleanups);
    t.signal.addEventListener(
      'abort',
      () => {
        for (const cleanupOnce of cleanups) cleanupOnce().catch(() => undefined);
      },
      { once: true },
    );
  }
  pending.add(once);
}
