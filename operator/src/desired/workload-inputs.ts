import type { OperatorConfig } from '../config.js';
import type { Workspace } from '../resources/workspace.schema.js';

/** Where one of the Workspace's Connections points, once the operator's host guard admitted it. */
export interface ConnectionTarget {
  /** As the Connection names it: what the dataplane's own guard is told to admit. */
  host: string;
  port: number;
  /** The addresses it resolved to (an IP literal resolves to itself): what the NetworkPolicy admits. */
  addresses: readonly string[];
}

/** Everything the Deployment, Service, NetworkPolicy, PDB, HPA and Ingress are computed from. */
export interface WorkloadInputs {
  workspace: Workspace;
  config: Pick<OperatorConfig, 'dataplane' | 'ingressNamespace' | 'egress'>;
  /** The resourceVersion of the Secret as applied (into the spec hash). */
  secretResourceVersion: string;
  connectionTargets: readonly ConnectionTarget[];
}
