import {
  AppError,
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
  ServiceUnavailableError,
} from '../../platform/errors.js';

interface MysqlError {
  code?: string;
  errno?: number;
  sqlState?: string;
  message: string;
}

/** max_statement_time (MariaDB 1969), MAX_EXECUTION_TIME (MySQL 3024). */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);
/** Access denied, unknown database: a retry cannot help. */
const REJECTED_ERRNOS = new Set([1044, 1045, 1049, 1698]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** The one place mysql2 errors become domain errors; messages never carry the password. */
export function translateMysqlError(error: unknown, statementTimeoutMs: number): Error {
  if (error instanceof AppError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as MysqlError;
  if (e.errno !== undefined && TIMEOUT_ERRNOS.has(e.errno)) {
    return new GatewayTimeoutError(
      `The statement was interrupted after the connection's statement timeout (${statementTimeoutMs} ms)`,
      'statement_timeout',
    );
  }
  if (e.errno === 1792) {
    return new ForbiddenError(`This connection is read-only: ${e.message}`, 'read_only_connection');
  }
  if (e.errno !== undefined && REJECTED_ERRNOS.has(e.errno)) {
    return new ServiceUnavailableError(
      `The database refused the connection: ${e.message}`,
      'connection_rejected',
    );
  }
  if ((e.code && UNAVAILABLE_CODES.has(e.code)) || /connect ETIMEDOUT|Connection lost/i.test(e.message)) {
    return new ServiceUnavailableError(`Could not reach the database: ${e.message}`, 'connection_failed');
  }
  if (e.sqlState || e.errno !== undefined) {
    return new BadRequestError(`The database refused the query: ${e.message}`, 'source_query_failed');
  }
  return error instanceof Error ? error : new Error(e.message);
}
