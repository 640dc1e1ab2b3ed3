import { expect } from 'chai';
import { createOperatorMetrics, queueMetricsHooks } from '../../../../operator/src/runtime/metrics.js';
import { WorkQueue } from '../../../../operator/src/runtime/workqueue.js';
import { FakeClock } from './fake-clock.js';

describe('operator runtime: metrics', () => {
  it('registers exactly the README’s names in a registry of its own', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).to.have.members([
      'lt_operator_reconcile_total',
      'lt_operator_reconcile_duration_seconds',
      'lt_operator_queue_depth',
      'lt_operator_retries_total',
      'lt_operator_leader',
    ]);
    expect(
      () => createOperatorMetrics({ processMetrics: false }),
      'a second instance does not collide',
    ).to.not.throw();
  });

  it('counts reconciles and retries by kind and result, times them, and sums the queues’ depth', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    const clock = new FakeClock();
    const workspaces = new WorkQueue({
      clock,
      workers: 1,
      reconcile: async (key) => {
        clock.current += 250;
        if (key === 'ns/broken') throw new Error('no');
      },
      hooks: queueMetricsHooks(metrics, 'Workspace'),
    });
    const connections = new WorkQueue({
      clock,
      workers: 1,
      reconcile: () => new Promise(() => undefined),
      hooks: queueMetricsHooks(metrics, 'Connection'),
    });
    workspaces.add('ns/a');
    workspaces.add('ns/broken');
    await workspaces.idle();
    connections.add('ns/c1');
    connections.add('ns/c2');
    connections.add('ns/c3');
    metrics.leader.set(1);

    const text = await metrics.registry.metrics();
    expect(text).to.include('lt_operator_reconcile_total{kind="Workspace",result="success"} 1');
    expect(text).to.include('lt_operator_reconcile_total{kind="Workspace",result="error"} 1');
    expect(text).to.include(
      'lt_operator_reconcile_duration_seconds_sum{kind="Workspace",result="success"} 0.25',
    );
    expect(text).to.include('lt_operator_retries_total{kind="Workspace"} 1');
    expect(text).to.include('lt_operator_queue_depth 2');
    expect(text).to.include('lt_operator_leader 1');
  });
});
