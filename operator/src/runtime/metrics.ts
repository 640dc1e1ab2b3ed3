import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueueHooks } from './workqueue.js';

/** The operator's metrics (operator/README.md, _Process_), in a registry of its own. */
export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<'kind' | 'result'>;
  reconcileDuration: Histogram<'kind' | 'result'>;
  queueDepth: Gauge;
  retriesTotal: Counter<'kind'>;
  leader: Gauge;
}

/** One registry per instance, so several operators in one process (tests) never collide. */
export function createOperatorMetrics(options: { processMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    reconcileTotal: new Counter({
      name: 'lt_operator_reconcile_total',
      help: 'reconciles by kind (Workspace, Connection) and result (success, error)',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'lt_operator_reconcile_duration_seconds',
      help: 'duration of reconciles by kind and result',
      labelNames: ['kind', 'result'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'lt_operator_queue_depth',
      help: 'keys waiting in the work queues (all kinds)',
      registers,
    }),
    retriesTotal: new Counter({
      name: 'lt_operator_retries_total',
      help: 'reconciles retried after a failure, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    leader: new Gauge({
      name: 'lt_operator_leader',
      help: '1 while this replica holds the leader Lease, else 0',
      registers,
    }),
  };
}

/**
 * A work queue's hooks feeding the metrics for one kind. The depth gauge is the sum over the
 * kinds' queues (operator/README.md names no label for it).
 */
export function queueMetricsHooks(metrics: OperatorMetrics, kind: string): WorkQueueHooks {
  const depths = queueDepths.get(metrics) ?? new Map<string, number>();
  queueDepths.set(metrics, depths);
  return {
    depth(depth) {
      depths.set(kind, depth);
      metrics.queueDepth.set([...depths.values()].reduce((a, b) => a + b, 0));
    },
    reconciled(_key, outcome, seconds) {
      metrics.reconcileTotal.inc({ kind, result: outcome });
      metrics.reconcileDuration.observe({ kind, result: outcome }, seconds);
    },
    retry() {
      metrics.retriesTotal.inc({ kind });
    },
  };
}

const queueDepths = new WeakMap<OperatorMetrics, Map<string, number>>();
