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
