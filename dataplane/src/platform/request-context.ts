import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and audit entry of one request needs to know about it. */
export interface RequestContext {
  requestId: string;
  ip: string | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
