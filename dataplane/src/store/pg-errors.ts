/**
 * PostgreSQL error codes the services react to, translated in one place near the database code.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
interface PgError {
  code?: string;
  constraint?: string;
  /** objection wraps driver errors (UniqueViolationError, ...) and keeps the original here. */
  nativeError?: PgError;
}

const pgCode = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as PgError;
  return e.code ?? e.nativeError?.code;
};

export const isUniqueViolation = (error: unknown): boolean => pgCode(error) === '23505';
export const isForeignKeyViolation = (error: unknown): boolean => pgCode(error) === '23503';
export const isSerializationFailure = (error: unknown): boolean =>
  ['40001', '40P01'].includes(pgCode(error) ?? '');
/** A relation that does not exist (42P01), e.g. a user table dropped while a lock on it was awaited. */
export const isUndefinedTable = (error: unknown): boolean => pgCode(error) === '42P01';
export const isStatementTimeout = (error: unknown): boolean => pgCode(error) === '57014';
/** Text PostgreSQL cannot store: NUL in text/jsonb (22P05), invalid characters (22021). */
export const isUnstorableText = (error: unknown): boolean => ['22021', '22P05'].includes(pgCode(error) ?? '');
export const isCheckViolation = (error: unknown): boolean => pgCode(error) === '23514';
/** An invalid regular expression in a CHECK (2201B). */
export const isInvalidRegex = (error: unknown): boolean => pgCode(error) === '2201B';
/** Values a cast cannot convert (22P02 invalid text, 22003 out of range, 22007/22008 dates). */
export const isConversionFailure = (error: unknown): boolean =>
  ['22P02', '22003', '22007', '22008'].includes(pgCode(error) ?? '');

/** The constraint or index a violation names, for the message. */
export const violatedConstraint = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as PgError;
  return e.constraint ?? e.nativeError?.constraint;
};

/**
 * A statement naming a column or table that no longer exists (42703, 42P01): what a replica
 * compiling against metadata another replica has just changed would see.
 */
export const isStaleStatement = (error: unknown): boolean => ['42703', '42P01'].includes(pgCode(error) ?? '');
