import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../platform/logger.js';
import type { InFlight } from '../platform/in-flight.js';
import type { Metrics } from '../platform/metrics.js';
import { errorsMiddleware } from './middleware/errors.middleware.js';
import { requestContextMiddleware } from './middleware/request-context.middleware.js';
import type { AnyRoute } from './route.js';
import { buildRouter, rawBodyMatcher, type RouterDeps } from './router.js';

export interface HttpAppOptions {
  routes: AnyRoute[];
  deps: RouterDeps;
  log: Logger;
  metrics: Metrics;
  inFlight: InFlight;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Routes with their own chain, outside the declared ones, before the body parser (publicapi/). */
  publicApi?: Router;
}

export function createHttpApp(options: HttpAppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy });
  app.silent = true; // errors are logged by the error middleware, once
  const router = buildRouter(options.routes, options.deps);
  app.use(requestContextMiddleware(options.log, options.metrics, options.inFlight));
  app.use(errorsMiddleware(options.log));
  if (options.publicApi) app.use(options.publicApi.routes()).use(options.publicApi.allowedMethods());
  const streamsOwnBody = rawBodyMatcher(router, options.routes);
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: options.bodyLimitBytes,
    encoding: 'utf-8',
  });
  app.use(async (ctx, next) => {
    // Uploads stream their raw bytes from ctx.req themselves, whatever their Content-Type.
    if (streamsOwnBody(ctx)) return next();
    // Bodies are JSON only; anything else would reach validation as an empty object.
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('json', '+json')) ctx.throw(415, 'Request body must be application/json');
    await parseJson(ctx, next);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
