import { cpus, loadavg } from 'node:os';
import { loadOperatorConfig } from '../operator/src/config.js';
import { desiredSecret } from '../operator/src/desired/secret.js';
import { resolveSecretValues } from '../operator/src/desired/secret-values.js';
import { desiredWorkloads } from '../operator/src/desired/desired-workloads.js';
import { wireForm } from '../operator/src/desired/drift.js';
import { tenantSchemaName } from '../operator/src/names.js';
import { tenantConnectionLimit } from '../operator/src/provision/connection-limit.js';
import { parseWorkspace } from '../operator/src/resources/parse-resource.js';
import { resolveWorkspaceSpec } from '../operator/src/resources/workspace.schema.js';
import { startOperatorStack } from '../test/integration/operator/support/operator-stack.js';
import type { Benchmark } from './measure.js';

/** Workspaces per run; `LT_BENCH_WORKSPACES` overrides. */
const WORKSPACES = Number(process.env.LT_BENCH_WORKSPACES ?? 100);
/** The operator's reconciles per kind at once, and the baseline's parallelism alike. */
const WORKERS = 4;
const NAMESPACE = 'default';

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => n.toFixed(n < 10 ? 2 : 0);
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

function workspace(name: string) {
  return {
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Workspace',
    metadata: { name, namespace: NAMESPACE },
    spec: { owner: { email: `owner@${name}.bench` }, deletionPolicy: 'Delete' },
  };
}

/** Runs `work` over `items`, `limit` at a time. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export const operatorBenchmark: Benchmark = {
  name: 'operator',
  async run() {
    const load = (loadavg()[0] ?? 0).toFixed(2);
    const stack = await startOperatorStack({ RESYNC_SECONDS: '86400' }, { workers: WORKERS });
    const { api, client, platform, operator } = stack;
    const config = loadOperatorConfig({
      PLATFORM_DATABASE_URL: platform.url,
      DATAPLANE_IMAGE: 'live-tables-dataplane:bench',
    });
    try {
      while (!operator.isLeader) await new Promise((r) => setTimeout(r, 20));

      // 1. Workspaces to Ready: created together, each timed from its create to Ready=True.
      const names = Array.from({ length: WORKSPACES }, () => platform.tenantName('b'));
      const createdAt = new Map<string, number>();
      const readyAfter = new Map<string, number>();
      const started = performance.now();
      await inParallel(names, 16, async (name) => {
        createdAt.set(name, performance.now());
        await client.create(
          { apiVersion: 'livetables.dev/v1alpha1', plural: 'workspaces', namespace: NAMESPACE },
          workspace(name),
        );
      });
      while (readyAfter.size < names.length) {
        for (const object of api.store.list('workspaces.livetables.dev', NAMESPACE)) {
          const name = String(object.metadata?.name);
          const status = object.status as { conditions?: { type: string; status: string }[] } | undefined;
          if (
            !readyAfter.has(name) &&
            status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          )
            readyAfter.set(name, performance.now() - (createdAt.get(name) ?? started));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const allReady = (performance.now() - started) / 1000;
      await operator.idle();
      const perWorkspace = [...readyAfter.values()].sort((a, b) => a - b);

      // The baseline: the same work without the operator — the tenant's role, schema and
      // migrations through the same provisioner, then the Secret and workloads POSTed once —
      // WORKERS at a time; no informers, queue, status, events or drift checks.
      const baselineNames = Array.from({ length: WORKSPACES }, () => platform.tenantName('r'));
      const provisioner = platform.provisioner;
      const baselineStarted = performance.now();
      await inParallel(baselineNames, WORKERS, async (name) => {
        const ws = parseWorkspace({
          ...workspace(name),
          metadata: { name, namespace: NAMESPACE, uid: name },
        });
        const values = resolveSecretValues(ws, config, undefined);
        const spec = resolveWorkspaceSpec(ws);
        await provisioner.provision({
          slug: name,
          schema: tenantSchemaName(name),
          displayName: spec.displayName,
          ownerEmail: spec.ownerEmail,
          password: values.password,
          databaseUrl: values.data.DATABASE_URL,
          connectionLimit: tenantConnectionLimit(spec),
        });
        const secret = await client.create(
          { apiVersion: 'v1', plural: 'secrets', namespace: NAMESPACE },
          desiredSecret(ws, values.data),
        );
        const workloads = desiredWorkloads({
          workspace: ws,
          config,
          secretResourceVersion: secret.metadata?.resourceVersion ?? '',
          connectionTargets: [],
        });
        for (const [plural, apiVersion, object] of [
          ['deployments', 'apps/v1', workloads.deployment],
          ['services', 'v1', workloads.service],
          ['networkpolicies', 'networking.k8s.io/v1', workloads.networkPolicy],
        ] as const)
          await client.create({ apiVersion, plural, namespace: NAMESPACE }, wireForm(object) as object);
      });
      const baseline = (performance.now() - baselineStarted) / 1000;

      // 2. A no-op reconcile of every Workspace: all of them queued at once, timed to idle.
      const requestsBefore = api.requests.length;
      const rounds = 5;
      const noop: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t = performance.now();
        operator.resyncNow();
        await operator.idle();
        noop.push((performance.now() - t) / WORKSPACES);
      }
      const apiCalls = api.requests.slice(requestsBefore).filter((r) => !r.url.includes('/leases/')).length;
      noop.sort((a, b) => a - b);
      // Its baseline: the cheapest reconcile that would read the Workspace from the API server.
      const gets: number[] = [];
      for (const name of names.slice(0, 50)) {
        const t = performance.now();
        await client.get({
          apiVersion: 'livetables.dev/v1alpha1',
          plural: 'workspaces',
          namespace: NAMESPACE,
          name,
        });
        gets.push(performance.now() - t);
      }
      gets.sort((a, b) => a - b);

      const lines = [
        'operator benchmark',
        `  ${int(WORKSPACES)} Workspaces (LT_BENCH_WORKSPACES) on the in-repo Kubernetes API server (Deployments reported available at once: no kubelet) and the real PostgreSQL; ` +
          `operator in this process with ${WORKERS} workers a kind; node ${process.version}, ${cpus().length} CPUs, load ${load} at start`,
        '',
        '1. Workspaces to Ready (each: finalizer, Secret, role, schema, tenant migrations, Deployment, Service, NetworkPolicy, status, Events)',
        `  operator: all ${int(WORKSPACES)} Ready after ${allReady.toFixed(1)} s (${ms((allReady * 1000) / WORKSPACES)} ms a Workspace); ` +
          `time to Ready p50 ${ms(percentile(perWorkspace, 0.5))} ms, p99 ${ms(percentile(perWorkspace, 0.99))} ms`,
        `  baseline, the same provisioning and objects by hand (${WORKERS} at a time): ${baseline.toFixed(1)} s; operator / baseline ${(allReady / baseline).toFixed(2)}`,
        '',
        '2. A no-op reconcile (every Workspace already as it should be), all queued at once',
        `  operator: p50 ${ms(noop[Math.floor(rounds / 2)] ?? 0)} ms a Workspace over ${rounds} rounds; API calls made: ${apiCalls}`,
        `  baseline, one GET of the Workspace from the API server: p50 ${ms(percentile(gets, 0.5))} ms; ` +
          `no-op / GET ${((noop[Math.floor(rounds / 2)] ?? 0) / percentile(gets, 0.5)).toFixed(2)}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      await stack.stop();
    }
  },
};
