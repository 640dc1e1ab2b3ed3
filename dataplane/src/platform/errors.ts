/**
 * Domain errors. Anything below http/ throws these; one middleware turns them into
 * application/problem+json. `code` is the stable machine-readable part of the contract.
 */
export interface FieldProblem {
  path: string;
  message: string;
  /** Bulk writes: which item of the request, and a stable code per problem. */
  index?: number;
  code?: string;
  detail?: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly title: string;
  /** Extra members merged into the problem document (e.g. `errors`, `current`). */
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code: string;
  readonly title = 'Bad request';
  constructor(detail: string, code = 'bad_request') {
    super(detail);
    this.code = code;
  }
}

export class ValidationError extends AppError {
  readonly status = 422;
  readonly code: string;
  readonly title = 'Validation failed';
  constructor(
    detail: string,
    readonly errors: FieldProblem[] = [],
    code = 'validation_failed',
  ) {
    super(detail, { errors });
    this.code = code;
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code: string;
  readonly title = 'Unauthorized';
  constructor(detail = 'Authentication required', code = 'unauthorized') {
    super(detail);
    this.code = code;
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code: string;
  readonly title = 'Forbidden';
  constructor(detail = 'Your role does not allow this', code = 'forbidden') {
    super(detail);
    this.code = code;
  }
}

export class ManagedByOperatorError extends ForbiddenError {
  constructor() {
    super('Workspaces of this deployment are managed by the Kubernetes operator', 'managed_by_operator');
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  readonly title = 'Not found';
  constructor(resource: string) {
    super(`${resource} not found`);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  readonly title = 'Conflict';
  constructor(detail: string, code = 'conflict') {
    super(detail);
    this.code = code;
  }
}

/** A connection the Kubernetes operator registered: its Connection resource is where it changes. */
export class ConnectionManagedByOperatorError extends ConflictError {
  constructor() {
    super(
      'This connection is managed by the Kubernetes operator; change its Connection resource instead',
      'managed_by_operator',
    );
  }
}

/**
 * A saved view no longer fits the schema it reads (a column dropped or renamed, a table or
 * connection gone): 409 `view_broken`, with its problems when the caller may see the definition.
 */
export class ViewBrokenError extends ConflictError {
  constructor(problems?: FieldProblem[]) {
    super(
      'This view no longer fits the schema of its source; fix its definition (or bring the schema back)',
      'view_broken',
    );
    if (problems) this.extensions.problems = problems;
  }
}

/**
 * Both sides of a write that lost a race, for the client to resolve it: the resource as it is
 * now (`theirs`), what the request tried to write (`mine`), the version it was based on and the
 * fields changed by both (rows: services/rows/row-conflict.ts).
 */
export interface ConflictSides<Current = unknown> {
  theirs: Current;
  mine: Record<string, unknown>;
  baseVersion: number | null;
  conflictingFields: string[];
}

/** 409 `version_conflict`: `current` (and, where known, both sides) in the problem document. */
export class VersionConflictError<Current = unknown> extends AppError {
  readonly status = 409;
  readonly code = 'version_conflict';
  readonly title = 'Version conflict';
  constructor(
    detail: string,
    readonly current: Current,
    readonly sides?: ConflictSides<Current>,
  ) {
    super(detail, { current, ...sides });
  }
}

/** No representation the caller accepts (the Accept header names none we produce). */
export class NotAcceptableError extends AppError {
  readonly status = 406;
  readonly code = 'not_acceptable';
  readonly title = 'Not acceptable';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
  readonly title = 'Payload too large';
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  readonly title = 'Too many requests';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code: string;
  readonly title = 'Service unavailable';
  constructor(detail: string, code = 'unavailable') {
    super(detail);
    this.code = code;
  }
}

/** An external connection whose circuit breaker is open: answered fast, without touching it. */
export class ConnectionUnavailableError extends ServiceUnavailableError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail, 'connection_unavailable');
  }
}

export class GatewayTimeoutError extends AppError {
  readonly status = 504;
  readonly code: string;
  readonly title = 'Gateway timeout';
  constructor(detail: string, code = 'timeout') {
    super(detail);
    this.code = code;
  }
}

/**
 * An external connection's target or driver options were refused (SSRF guard). The detail names
 * the host or option the caller gave, never what it resolved to or which rule refused it.
 */
export class HostNotAllowedError extends AppError {
  readonly status = 422;
  readonly code: string;
  readonly title = 'Connection target not allowed';
  /** Which rule refused it (e.g. `loopback`, `denied`): for logs, not part of the response. */
  readonly reason: string | undefined;
  constructor(detail: string, code = 'host_not_allowed', reason?: string) {
    super(detail);
    this.code = code;
    this.reason = reason;
  }
}

/** A stored credential failed to decrypt: moved to another row, tampered with or its key is gone. */
export class CredentialDecryptionError extends AppError {
  readonly status = 500;
  readonly code = 'credential_undecryptable';
  readonly title = 'Stored credential cannot be decrypted';
}

/** The key management service refused or could not be reached. Never carries key material. */
export class KmsError extends AppError {
  readonly status = 503;
  readonly code: string;
  readonly title = 'Key management unavailable';
  constructor(detail: string, code = 'kms_unavailable') {
    super(detail);
    this.code = code;
  }
}
