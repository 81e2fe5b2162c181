import { getSystemErrorMap } from 'node:util';

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

/** Whether `error` is a failed system call with one of `codes` (`ENOENT`, `EEXIST`, ...). */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/**
 * The system's own words for a failed system call (`ENOTDIR: not a directory`), without the path
 * Node appends, for messages that name the path themselves; null for anything else.
 */
export function systemErrorText(error: unknown): string | null {
  const { errno } = error as { errno?: unknown };
  if (!(error instanceof Error) || typeof errno !== 'number') return null;
  const entry = getSystemErrorMap().get(errno);
  return entry === undefined ? null : `${entry[0]}: ${entry[1]}`;
}

/** `message`, then the system's reason for `cause` when it is a failed system call. */
export function withSystemReason(message: string, cause: unknown): string {
  const reason = systemErrorText(cause);
  return reason === null ? message : `${message} (${reason})`;
}

/**
 * `error`'s message followed by its causes' (`could not read tile ... from the cache: SQLITE_CORRUPT:
 * database disk image is malformed`), each cause's own code first when its message lacks it, for the
 * operator's log: a wrapping error names what failed, its cause why.
 */
export function withCauses(error: Error): string {
  const parts = [error.message];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    const { code } = cause as { code?: unknown };
    const text =
      typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
    if (!parts.some((part) => part.includes(cause.message))) parts.push(text);
  }
  return parts.join(': ');
}
