import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { childName } from '../names.js';
import { resolveWorkspaceSpec, type Workspace } from '../resources/workspace.schema.js';
import { childMetadata } from './child-metadata.js';

/** An autoscaling/v2 HPA on the Deployment's CPU when `autoscaling.enabled`; null otherwise. */
export function desiredHorizontalPodAutoscaler(workspace: Workspace): V2HorizontalPodAutoscaler | null {
  const scaling = resolveWorkspaceSpec(workspace).autoscaling;
  if (!scaling) return null;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMetadata(workspace),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: childName(workspace.metadata.name) },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
  };
}
