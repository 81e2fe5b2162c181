/**
 * Building every entry of a section and refusing them together: the configuration errors of all
 * entries (each once, in order) instead of only the first, so serve and `check` name them all.
 */
import { ConfigError, ConfigErrors } from '../config/index.js';

/**
 * Calls `build` on each item. Throws the one `ConfigError`, or `ConfigErrors` for several; anything
 * else is rethrown at once.
 */
export function buildEach<T>(items: Iterable<T>, build: (item: T) => void): void {
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    try {
      build(item);
    } catch (error) {
      const found =
        error instanceof ConfigErrors ? error.errors : error instanceof ConfigError ? [error] : null;
      if (found === null) throw error;
      // a cache that fails is retried by each cache built from it: its errors are reported once
      for (const problem of found) {
        const text = problem.format();
        if (seen.has(text)) continue;
        seen.add(text);
        errors.push(problem);
      }
    }
  }
  const [only] = errors;
  if (errors.length === 1 && only !== undefined) throw only;
  if (errors.length > 0) throw new ConfigErrors(errors);
}
