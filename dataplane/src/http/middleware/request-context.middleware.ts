import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../platform/logger.js';
import type { InFlight } from '../../platform/in-flight.js';
import type { Metrics } from '../../platform/metrics.js';
import { runInRequestContext } from '../../platform/request-context.js';

const INCOMING_ID = /^[\w.-]{1,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when sane), runs the rest of the chain
 * inside it so every log line carries it, and records one access line and the duration metric.
 */
export function requestContextMiddleware(log: Logger, metrics: Metrics, inFlight: InFlight): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    await inFlight.track(() =>
      runInRequestContext({ requestId, ip: ctx.ip }, async () => {
        try {
          await next();
        } finally {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
          metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
          log.info(
            { method: ctx.method, path: ctx.path, route, status: ctx.status, ms: Math.round(seconds * 1000) },
            'request',
          );
        }
      }),
    );
  };
}
