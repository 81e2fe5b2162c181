/**
 * CommonJS packages loaded when first needed. Required, not imported: from ESM, Node first scans a
 * CommonJS entry for its named exports (cjs-module-lexer), and a static import loads the package
 * into every process that loads the importing module, whether it uses it or not.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function that returns package `specifier`, requiring it on its first call. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- require() is untyped: the caller names the package's type
export function requireOnFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
