import { expect } from 'chai';
import { startHealthServer, type HealthServer } from '../../../operator/src/health-server.js';
import { startOperatorStack, WORKSPACES, type OperatorStack } from './support/operator-stack.js';

/** The operator's /healthz, /readyz and /metrics over HTTP, on a leader that has reconciled. */
describe('operator: health and metrics endpoints', function () {
  this.timeout(60_000);
  let stack: OperatorStack;
  let health: HealthServer;
  before(async () => {
    stack = await startOperatorStack();
    health = await startHealthServer(0, '127.0.0.1', stack.operator, stack.operator.metrics.registry);
  });
  after(async () => {
    await health.close();
    await stack.stop();
  });

  it('answers /healthz and /readyz, and /metrics counts reconciles, durations, the queue and the lease', async () => {
    expect((await fetch(`${health.url}/healthz`)).status).to.equal(200);
    const name = stack.platform.tenantName('metrics');
    await stack.client.create(WORKSPACES, {
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Workspace',
      metadata: { name, namespace: 'default' },
      spec: { owner: { email: `owner@${name}.test` }, deletionPolicy: 'Delete' },
    });
    await stack.eventually(async () => {
      const ready = await fetch(`${health.url}/readyz`);
      expect([ready.status, await ready.text()]).to.deep.equal([200, 'ok: leader\n']);
      const text = await (await fetch(`${health.url}/metrics`)).text();
      expect(text).to.match(/lt_operator_reconcile_total\{kind="Workspace",result="success"\} [1-9]/);
      expect(text).to.match(
        /lt_operator_reconcile_duration_seconds_count\{kind="Workspace",result="success"\} [1-9]/,
      );
      expect(text).to.include('lt_operator_queue_depth 0');
      expect(text).to.include('lt_operator_leader 1');
      expect(text).to.include('lt_operator_retries_total');
    });
    expect((await fetch(`${health.url}/nowhere`)).status).to.equal(404);
  });
});
