import { pino, type Logger } from 'pino';
import { currentRequestContext } from './request-context.js';

export type { Logger };

/** JSON logs; any line written while a request is being served carries its `reqId`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'dataplane' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const ctx = currentRequestContext();
      return ctx ? { reqId: ctx.requestId } : {};
    },
    redact: {
      paths: ['password', '*.password', 'refreshToken', '*.refreshToken', 'req.headers.authorization'],
      remove: true,
    },
  });
}
