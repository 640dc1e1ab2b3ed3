import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Probe,
  V1ResourceRequirements,
} from '@kubernetes/client-node';
import {
  childName,
  DATAPLANE_PORT,
  DATAPLANE_PORT_NAME,
  SPEC_HASH_ANNOTATION,
  tenantSchemaName,
} from '../names.js';
import type { ResourceRequirements } from '../resources/resource-requirements.schema.js';
import { resolveWorkspaceSpec, type ResolvedWorkspaceSpec } from '../resources/workspace.schema.js';
import { childLabels, childMetadata, podSelector } from './child-metadata.js';
import { specHash } from './spec-hash.js';
import type { ConnectionTarget, WorkloadInputs } from './workload-inputs.js';

/** The dataplane image's user (a non-root uid, as its Dockerfile creates it). */
const RUN_AS = 10001;

const probe = (path: string, periodSeconds: number, failureThreshold: number): V1Probe => ({
  httpGet: { path, port: DATAPLANE_PORT_NAME },
  periodSeconds,
  timeoutSeconds: 2,
  failureThreshold,
});

/** Kubernetes keeps quantities as strings; a plain number in a spec is written as one. */
function toResources(r: ResourceRequirements): V1ResourceRequirements | undefined {
  const list = (l: Record<string, string | number | undefined> | undefined) =>
    l && Object.keys(l).length > 0
      ? Object.fromEntries(Object.entries(l).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])))
      : undefined;
  const requests = list(r.requests);
  const limits = list(r.limits);
  if (!requests && !limits) return undefined;
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/**
 * The hosts of operator-managed connections, for the dataplane's own SSRF guard: in tenant mode
 * it refuses private ranges, where in-cluster databases live (docs/adr/0016).
 */
function connectionAllowList(targets: readonly ConnectionTarget[]): string | undefined {
  const hosts = [...new Set(targets.map((t) => t.host.toLowerCase()))].sort();
  return hosts.length > 0 ? hosts.join(',') : undefined;
}

function env(name: string, spec: ResolvedWorkspaceSpec, inputs: WorkloadInputs): V1EnvVar[] {
  const allow = connectionAllowList(inputs.connectionTargets);
  return [
    { name: 'LT_WORKSPACE', value: name },
    { name: 'LT_SCHEMA', value: tenantSchemaName(name) },
    { name: 'LT_DISPLAY_NAME', value: spec.displayName },
    { name: 'NODE_ENV', value: 'production' },
    { name: 'PORT', value: String(DATAPLANE_PORT) },
    ...(allow ? [{ name: 'LT_CONNECTION_ALLOW', value: allow }] : []),
  ];
}

function container(name: string, spec: ResolvedWorkspaceSpec, inputs: WorkloadInputs): V1Container {
  const resources = toResources(spec.resources ?? inputs.config.dataplane.resources);
  return {
    name: 'dataplane',
    image: spec.image ?? inputs.config.dataplane.image,
    ports: [{ name: DATAPLANE_PORT_NAME, containerPort: DATAPLANE_PORT, protocol: 'TCP' }],
    env: env(name, spec, inputs),
    envFrom: [{ secretRef: { name: childName(name) } }],
    ...(resources ? { resources } : {}),
    // Start-up runs the migrations: up to two minutes before liveness takes over.
    startupProbe: probe('/healthz', 2, 60),
    livenessProbe: probe('/healthz', 10, 3),
    readinessProbe: probe('/readyz', 5, 3),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

/**
 * The dataplane in tenant mode. With autoscaling on, `replicas` is left to the HPA (setting it
 * here would undo every scaling decision at the next reconcile).
 */
export function desiredDeployment(inputs: WorkloadInputs): V1Deployment {
  const { workspace } = inputs;
  const name = workspace.metadata.name;
  const spec = resolveWorkspaceSpec(workspace);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMetadata(workspace),
    spec: {
      ...(spec.autoscaling ? {} : { replicas: spec.replicas }),
      selector: { matchLabels: podSelector(name) },
      template: {
        metadata: {
          labels: childLabels(name),
          annotations: { [SPEC_HASH_ANNOTATION]: specHash(spec, inputs.secretResourceVersion) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container(name, spec, inputs)],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
