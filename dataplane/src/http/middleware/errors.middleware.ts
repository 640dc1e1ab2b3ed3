import type { Middleware } from 'koa';
import { AppError, RateLimitedError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { isStatementTimeout, isUnstorableText } from '../../store/pg-errors.js';
import { problemType } from '../problem.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

/** koa and its body parser throw http-errors with `status`/`expose`; we map those too. */
interface HttpError {
  status?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

const HTTP_ERROR_CODES: Record<number, [string, string]> = {
  400: ['bad_request', 'Bad request'],
  404: ['not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  413: ['payload_too_large', 'Payload too large'],
  415: ['unsupported_media_type', 'Unsupported media type'],
  501: ['not_implemented', 'Not implemented'],
};

/** The one error funnel: every thrown error becomes application/problem+json. */
export function errorsMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // The router answers 404/405/501 without a body (405 and 501 with an Allow header).
      if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === '' || ctx.body === null)) {
        const detail =
          ctx.status === 404
            ? `No route for ${ctx.method} ${ctx.path}`
            : `${ctx.method} is not supported here`;
        throw Object.assign(new Error(detail), { status: ctx.status, expose: true });
      }
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) log.error({ err: error }, 'request failed');
      else log.debug({ code: problem.code }, problem.detail);
      if (error instanceof RateLimitedError) ctx.set('Retry-After', String(error.retryAfterSeconds));
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = problem;
    }
  };
}

/** The problem document of any error: what HTTP answers and what socket acknowledgements carry. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    return {
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...error.extensions,
    };
  }
  if (isStatementTimeout(error)) {
    return {
      type: problemType('query_timeout'),
      title: 'Query timed out',
      status: 503,
      detail: 'The database did not answer in time',
      code: 'query_timeout',
    };
  }
  if (isUnstorableText(error)) {
    // Validation refuses such text first; this catches any path that bypassed it.
    return {
      type: problemType('unstorable_text'),
      title: 'Bad request',
      status: 400,
      detail: 'The request contains text that cannot be stored (such as a NUL character)',
      code: 'unstorable_text',
    };
  }
  const http = error as HttpError;
  if (
    typeof http?.status === 'number' &&
    ((http.status >= 400 && http.status < 500) || http.status === 501)
  ) {
    const [code, title] = HTTP_ERROR_CODES[http.status] ?? ['bad_request', 'Bad request'];
    const detail =
      http.type === 'entity.parse.failed' || error instanceof SyntaxError
        ? 'Request body must be valid JSON: an object or an array'
        : http.expose && http.message
          ? http.message
          : title;
    return { type: problemType(code), title, status: http.status, detail, code };
  }
  return {
    type: problemType('internal_error'),
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side',
    code: 'internal_error',
  };
}
