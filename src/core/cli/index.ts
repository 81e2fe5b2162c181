/**
 * What every command shares: the exit-code policy and its failure report, the error catalogue
 * it classifies by, and `CliError` for the problems commands find themselves.
 */
export { CliError, CLI_ERROR_CODES, type CliErrorCode } from './errors.js';
export { ERROR_CATALOGUE, WARNING_CATALOGUE, type CatalogueEntry, type ErrorCode } from './error-catalogue.js';
export {
  EXIT_CODES,
  exitCodeFor,
  failureReport,
  presentFailure,
  type FailureKind,
  type FailureOutput,
  type FailureReport,
} from './exit-policy.js';
