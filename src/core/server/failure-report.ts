/**
 * How the serve commands present a failure: configuration problems (YAML or log ini) exit 2
 * with every message, server problems (address, script, workers) exit 1.
 */
import { ConfigError, ConfigErrors, formatConfigProblem } from '../config/index.js';
import { LogConfigError } from '../util/index.js';
import { ServerError } from './errors.js';

export interface FailureReport {
  readonly exitCode: 1 | 2;
  /** Lines for stderr, without trailing newlines. */
  readonly lines: readonly string[];
}

/** The report for a known error; null for anything unexpected (a bug: let it crash loudly). */
export function failureReport(error: unknown): FailureReport | null {
  if (error instanceof ConfigErrors) {
    return {
      exitCode: 2,
      lines: [
        ...error.warnings.map((warning) => `warning: ${formatConfigProblem(warning)}`),
        ...error.errors.map((problem) => `error: ${problem.format()}`),
      ],
    };
  }
  if (error instanceof ConfigError) return { exitCode: 2, lines: [`error: ${error.format()}`] };
  if (error instanceof LogConfigError) return { exitCode: 2, lines: [`error: ${error.message}`] };
  if (error instanceof ServerError) {
    // a missing project directory is a usage error like a broken configuration
    return { exitCode: error.code === 'SERVER_BAD_PROJECT_DIR' ? 2 : 1, lines: [`error: ${error.message}`] };
  }
  return null;
}
