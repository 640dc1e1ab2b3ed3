import type {
  V1Deployment,
  V1Ingress,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { desiredDeployment } from './deployment.js';
import { desiredHorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { desiredIngress } from './ingress.js';
import { desiredNetworkPolicy } from './network-policy.js';
import { desiredPodDisruptionBudget } from './pod-disruption-budget.js';
import { desiredService } from './service.js';
import type { WorkloadInputs } from './workload-inputs.js';

/** The children after the Secret; null: the child must not exist (delete it if it does). */
export interface DesiredWorkloads {
  deployment: V1Deployment;
  service: V1Service;
  networkPolicy: V1NetworkPolicy;
  podDisruptionBudget: V1PodDisruptionBudget | null;
  horizontalPodAutoscaler: V2HorizontalPodAutoscaler | null;
  ingress: V1Ingress | null;
}

export function desiredWorkloads(inputs: WorkloadInputs): DesiredWorkloads {
  return {
    deployment: desiredDeployment(inputs),
    service: desiredService(inputs.workspace),
    networkPolicy: desiredNetworkPolicy(inputs),
    podDisruptionBudget: desiredPodDisruptionBudget(inputs.workspace),
    horizontalPodAutoscaler: desiredHorizontalPodAutoscaler(inputs.workspace),
    ingress: desiredIngress(inputs.workspace),
  };
}
