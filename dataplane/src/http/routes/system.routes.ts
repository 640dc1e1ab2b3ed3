import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import { ServiceUnavailableError } from '../../platform/errors.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { Problem } from '../problem.js';

export type ReadinessCheck = () => Promise<void>;

export interface SystemDeps {
  checks: Record<string, ReadinessCheck>;
  metrics: Registry;
  openApi: () => unknown;
  /** True once shutdown began: readiness fails so load balancers drain us. */
  isShuttingDown: () => boolean;
}

const Status = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export function systemRoutes(deps: SystemDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is up',
      tag: 'system',
      scope: 'public',
      responses: { 200: Status },
      handler: async () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: PostgreSQL (and Redis when configured) answer',
      tag: 'system',
      scope: 'public',
      responses: { 200: Status, 503: Problem },
      handler: async () => {
        if (deps.isShuttingDown()) throw new ServiceUnavailableError('Shutting down', 'shutting_down');
        const results = await Promise.all(
          Object.entries(deps.checks).map(async ([name, check]) => {
            try {
              await withTimeout(check(), 2000);
              return [name, 'ok'] as const;
            } catch (error) {
              return [name, (error as Error).message || 'failed'] as const;
            }
          }),
        );
        const failed = results.filter(([, r]) => r !== 'ok');
        if (failed.length)
          throw new ServiceUnavailableError(failed.map(([n, r]) => `${n}: ${r}`).join('; '), 'not_ready');
        return { body: { status: 'ok', checks: Object.fromEntries(results) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tag: 'system',
      scope: 'public',
      responses: { 200: Type.String() },
      handler: async () => ({
        body: await deps.metrics.metrics(),
        headers: { 'Content-Type': deps.metrics.contentType },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This document',
      tag: 'system',
      scope: 'public',
      responses: { 200: Type.Object({}) },
      handler: async () => ({ body: deps.openApi() }),
    }),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
