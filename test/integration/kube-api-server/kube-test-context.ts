import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import {
  startKubeApiServer,
  type KubeApiServer,
  type KubeApiServerOptions,
} from '../../fixtures/kube-api-server/index.js';

/** A test server and the client-node APIs pointed at it through its kubeconfig. */
export interface KubeTestContext {
  server: KubeApiServer;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  extensions: ApiextensionsV1Api;
}

export async function startKubeTestContext(options: KubeApiServerOptions = {}): Promise<KubeTestContext> {
  const server = await startKubeApiServer(options);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  return {
    server,
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    extensions: kubeConfig.makeApiClient(ApiextensionsV1Api),
  };
}

/** Stops the server after checking that its controllers and handlers hit no unexpected error. */
export async function stopKubeTestContext(ctx: KubeTestContext): Promise<void> {
  await ctx.server.settled();
  const errors = [...ctx.server.errors];
  await ctx.server.stop();
  if (errors.length) throw new Error(`the test server reported errors: ${errors.map(String).join('; ')}`);
}

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** The v1 Status a failed call answered with (the promise must reject with an ApiException). */
export interface Status {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason: string; message: string; field?: string }[];
  };
}

export async function failure(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = error.body;
    return (typeof body === 'string' ? JSON.parse(body) : body) as Status;
  }
  throw new Error('expected the call to fail');
}

const CHART = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/kube-api-server/test-chart',
);
export const WORKSPACE_CRD_FILE = path.join(CHART, 'crds/workspaces.livetables.dev.yaml');
export const TEST_CHART = CHART;

/** The test chart's Workspace CRD (modelled on the operator's). */
export function workspaceCrd(): V1CustomResourceDefinition {
  return loadYaml<V1CustomResourceDefinition>(readFileSync(WORKSPACE_CRD_FILE, 'utf8'));
}

export const WORKSPACES = { group: 'livetables.dev', version: 'v1alpha1', plural: 'workspaces' } as const;

/** A Workspace body with `spec` merged over a valid minimum. */
export function workspace(
  name: string,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Workspace',
    metadata: { name, ...metadata },
    spec: { owner: { email: `${name}@example.test` }, ...spec },
  };
}

/** Polls `check` until it returns something other than undefined (fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A minimal Deployment of one container `app` (and an optional sidecar). */
export function deployment(
  name: string,
  containers: V1Container[] = [{ name: 'app', image: 'registry.example/app:1' }],
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}
