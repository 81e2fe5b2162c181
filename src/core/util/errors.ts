/**
 * The base of every error the engine raises on purpose. Each module subclasses it in its own
 * `errors.ts` with a stable upper-case `code`; anything that is not a ProxyError is a bug.
 */
export class ProxyError extends Error {
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Stable codes of util's own errors (`LogConfigError`). */
export const UTIL_ERROR_CODES = ['LOG_CONFIG'] as const;

/** A log ini that fileConfig would reject; the message names the file, section and option. */
export class LogConfigError extends ProxyError {
  declare readonly code: (typeof UTIL_ERROR_CODES)[number];
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'LOG_CONFIG', options);
  }
}
