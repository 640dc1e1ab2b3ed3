import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createLogger } from '../../../../dataplane/src/platform/logger.js';
import { loadOperatorConfig } from '../../../../operator/src/config.js';
import {
  KubeClient,
  isNotFound,
  type KubeObject,
  type ResourceRef,
} from '../../../../operator/src/kube/kube-client.js';
import { Operator, type OperatorOptions } from '../../../../operator/src/operator.js';
import { startKubeApiServer, type KubeApiServer } from '../../../fixtures/kube-api-server/index.js';
import { createPlatformDatabase, type PlatformDatabase } from './platform-database.js';
import { eventually } from '../../../support/eventually.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The CRDs of crds/, as the cluster gets them from the chart. */
export async function installCrds(client: KubeClient): Promise<void> {
  for (const file of ['workspaces.livetables.dev.yaml', 'connections.livetables.dev.yaml']) {
    const text = await readFile(path.join(REPO, 'crds', file), 'utf8');
    const [crd] = parseAllDocuments(text).map((d) => d.toJS() as object);
    await client.create(
      { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions' },
      crd as object,
    );
  }
}

export interface OperatorStack {
  api: KubeApiServer;
  kc: KubeConfig;
  client: KubeClient;
  platform: PlatformDatabase;
  operator: Operator;
  /** Another operator replica on the same cluster and database (leader election). */
  replica(name: string, options?: OperatorOptions): Promise<Operator>;
  /** Polls until `check` passes (or throws its last error after `ms`). */
  eventually<T>(check: () => Promise<T>, ms?: number): Promise<T>;
  get<T extends KubeObject>(ref: ResourceRef): Promise<T | undefined>;
  stop(): Promise<void>;
}

export const WORKSPACES = {
  apiVersion: 'livetables.dev/v1alpha1',
  plural: 'workspaces',
  namespace: 'default',
};
export const CONNECTIONS = {
  apiVersion: 'livetables.dev/v1alpha1',
  plural: 'connections',
  namespace: 'default',
};

/**
 * A Kubernetes API test server with the CRDs installed and Deployments reported available (no
 * kubelet here), a fresh platform database with the operator's own non-superuser role, and an
 * operator running in this process against both.
 */
export async function startOperatorStack(
  env: Record<string, string> = {},
  options: OperatorOptions = {},
): Promise<OperatorStack> {
  const api = await startKubeApiServer({ simulateDeployments: true, bookmarkIntervalMs: 1_000 });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const client = new KubeClient(kc);
  await installCrds(client);
  await api.settled();
  const platform = await createPlatformDatabase();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const operators: Operator[] = [];
  const start = async (pod: string, extra: OperatorOptions) => {
    const config = loadOperatorConfig({
      PLATFORM_DATABASE_URL: platform.url,
      DATAPLANE_IMAGE: 'live-tables-dataplane:test',
      POD_NAMESPACE: 'default',
      POD_NAME: pod,
      LEASE_DURATION_SECONDS: '2',
      RESYNC_SECONDS: '3600',
      ...env,
    });
    const operator = new Operator(kc, config, log, {
      processMetrics: false,
      leaderRetryPeriodMs: 200,
      ...options,
      ...extra,
    });
    operators.push(operator);
    await operator.start();
    return operator;
  };
  const operator = await start('operator-0', {});
  return {
    api,
    kc,
    client,
    platform,
    operator,
    replica: (name, extra = {}) => start(name, extra),
    eventually,
    async get<T extends KubeObject>(ref: ResourceRef) {
      try {
        return await client.get<T>(ref);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async stop() {
      for (const o of operators) await o.stop();
      await api.stop();
      await platform.drop();
    },
  };
}
