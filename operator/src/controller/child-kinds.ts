import type { ResourceRef } from '../kube/kube-client.js';

/** A kind the operator owns on behalf of a Workspace: where its objects live in the API. */
export interface ChildKind {
  apiVersion: string;
  kind: string;
  plural: string;
}

/** Every child of a Workspace, as operator/README.md lists them. */
export const CHILD_KINDS = {
  secret: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  service: { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  networkPolicy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  podDisruptionBudget: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
  },
  horizontalPodAutoscaler: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
  },
  ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses' },
} as const satisfies Record<string, ChildKind>;

export type ChildKindName = keyof typeof CHILD_KINDS;

export const WORKSPACES: ChildKind = {
  apiVersion: 'livetables.dev/v1alpha1',
  kind: 'Workspace',
  plural: 'workspaces',
};
export const CONNECTIONS: ChildKind = {
  apiVersion: 'livetables.dev/v1alpha1',
  kind: 'Connection',
  plural: 'connections',
};

/** The children's label, for informers that follow only what the operator made. */
export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=live-tables-operator';

export function refOf(kind: ChildKind, namespace: string, name?: string): ResourceRef {
  return { apiVersion: kind.apiVersion, plural: kind.plural, namespace, ...(name ? { name } : {}) };
}
