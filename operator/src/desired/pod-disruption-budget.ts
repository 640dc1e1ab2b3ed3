import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { resolveWorkspaceSpec } from '../resources/workspace.schema.js';
import type { Workspace } from '../resources/workspace.schema.js';
import { childMetadata, podSelector } from './child-metadata.js';

/**
 * `maxUnavailable: 1` while more than one pod runs (the autoscaler's minimum when it is on);
 * null when there is one pod or none, where a budget would only block node drains.
 */
export function desiredPodDisruptionBudget(workspace: Workspace): V1PodDisruptionBudget | null {
  const spec = resolveWorkspaceSpec(workspace);
  const fewest = spec.autoscaling ? spec.autoscaling.minReplicas : spec.replicas;
  if (fewest <= 1) return null;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(workspace),
    spec: { maxUnavailable: 1, selector: { matchLabels: podSelector(workspace.metadata.name) } },
  };
}
