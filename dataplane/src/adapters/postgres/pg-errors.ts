import {
  AppError,
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
  ServiceUnavailableError,
} from '../../platform/errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
]);
/** Connection exceptions (08), shutdowns and overload: worth a retry, count against the breaker. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300|53400)/;
/** Authentication failed, unknown database: a retry cannot help. */
const REJECTED_STATES = /^(28|3D000)/;

const textOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The one place PostgreSQL driver errors become domain errors. Messages come from the server
 * or the socket and never carry the password.
 */
export function translatePgError(error: unknown, statementTimeoutMs: number): Error {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  const message = textOf(error);
  if (code === '57014') {
    return new GatewayTimeoutError(
      `The statement was cancelled after the connection's statement timeout (${statementTimeoutMs} ms)`,
      'statement_timeout',
    );
  }
  if (/Query read timeout/.test(message)) {
    return new GatewayTimeoutError(
      'The database did not answer within the statement timeout',
      'statement_timeout',
    );
  }
  if (code === '25006') {
    return new ForbiddenError(`This connection is read-only: ${message}`, 'read_only_connection');
  }
  if (typeof code === 'string' && REJECTED_STATES.test(code)) {
    return new ServiceUnavailableError(
      `The database refused the connection: ${message}`,
      'connection_rejected',
    );
  }
  if (
    (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) ||
    /Connection terminated|timeout exceeded when trying to connect|connection timeout/i.test(message)
  ) {
    return new ServiceUnavailableError(`Could not reach the database: ${message}`, 'connection_failed');
  }
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return new BadRequestError(`The database refused the query: ${message}`, 'source_query_failed');
  }
  return error instanceof Error ? error : new Error(message);
}
