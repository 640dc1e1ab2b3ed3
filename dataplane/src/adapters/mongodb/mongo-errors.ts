import {
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  GatewayTimeoutError,
  ServiceUnavailableError,
} from '../../platform/errors.js';

/** MaxTimeMSExpired; AuthenticationFailed; Unauthorized. */
const MAX_TIME_EXPIRED = 50;
const AUTHENTICATION_FAILED = 18;
const UNAUTHORIZED = 13;

const textOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The one place MongoDB driver errors become domain errors. Messages come from the server or
 * the driver's topology and never carry the password (it is passed as an option, not in a URI).
 */
export function translateMongoError(error: unknown, statementTimeoutMs: number): Error {
  if (error instanceof AppError) return error;
  const message = textOf(error);
  if (error instanceof MongoServerError) {
    if (error.code === MAX_TIME_EXPIRED) {
      return new GatewayTimeoutError(
        `The operation was stopped after the connection's statement timeout (${statementTimeoutMs} ms)`,
        'statement_timeout',
      );
    }
    if (error.code === AUTHENTICATION_FAILED) {
      return new ServiceUnavailableError(
        `The database refused the connection: ${message}`,
        'connection_rejected',
      );
    }
    if (error.code === UNAUTHORIZED)
      return new ForbiddenError(`The database refused the operation: ${message}`, 'source_forbidden');
    return new BadRequestError(`The database refused the query: ${message}`, 'source_query_failed');
  }
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoTopologyClosedError
  ) {
    return new ServiceUnavailableError(`Could not reach the database: ${message}`, 'connection_failed');
  }
  if (error instanceof MongoError)
    return new ServiceUnavailableError(`The MongoDB driver failed: ${message}`, 'source_failed');
  return error instanceof Error ? error : new Error(message);
}
