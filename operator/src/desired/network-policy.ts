import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyPeer,
} from '@kubernetes/client-node';
import { parseIp } from '../../../dataplane/src/platform/ssrf/ip-address.js';
import { DATAPLANE_PORT_NAME } from '../names.js';
import { resolveWorkspaceSpec } from '../resources/workspace.schema.js';
import { childMetadata, podSelector } from './child-metadata.js';
import type { ConnectionTarget, WorkloadInputs } from './workload-inputs.js';

const NAMESPACE_NAME = 'kubernetes.io/metadata.name';
const HTTP = { protocol: 'TCP', port: DATAPLANE_PORT_NAME };

const namespacePeer = (namespace: string): V1NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: namespace } },
});

/** One rule per port of the Connections, its peers the addresses (as /32 or /128), sorted for a stable spec. */
function connectionRules(targets: readonly ConnectionTarget[]): V1NetworkPolicyEgressRule[] {
  const byPort = new Map<number, Set<string>>();
  for (const target of targets) {
    const cidrs = byPort.get(target.port) ?? new Set<string>();
    for (const address of target.addresses) {
      const ip = parseIp(address);
      if (ip) cidrs.add(`${address}/${ip.family === 4 ? 32 : 128}`);
    }
    byPort.set(target.port, cidrs);
  }
  return [...byPort.entries()]
    .filter(([, cidrs]) => cidrs.size > 0)
    .sort(([a], [b]) => a - b)
    .map(([port, cidrs]) => ({
      to: [...cidrs].sort().map((cidr) => ({ ipBlock: { cidr } })),
      ports: [{ protocol: 'TCP', port }],
    }));
}

/**
 * Ingress from the ingress controller's namespace and the Workspace's own (from anywhere when
 * public APIs are on: a NetworkPolicy cannot tell `/public` from the rest). Egress to the platform
 * PostgreSQL and Redis, DNS, and the addresses of the Workspace's Connections only.
 */
export function desiredNetworkPolicy(inputs: WorkloadInputs): V1NetworkPolicy {
  const { workspace, config } = inputs;
  const spec = resolveWorkspaceSpec(workspace);
  const namespaces = [...new Set([config.ingressNamespace, workspace.metadata.namespace])];
  const { database, redis } = config.egress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(workspace),
    spec: {
      podSelector: { matchLabels: podSelector(workspace.metadata.name) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        // `_from`: the client's model name of `from` (drift.ts writes patches in the JSON name).
        { _from: namespaces.map(namespacePeer), ports: [HTTP] },
        ...(spec.publicApi ? [{ ports: [HTTP] }] : []),
      ],
      egress: [
        { to: [{ ipBlock: { cidr: database.cidr } }], ports: [{ protocol: 'TCP', port: database.port }] },
        ...(redis
          ? [{ to: [{ ipBlock: { cidr: redis.cidr } }], ports: [{ protocol: 'TCP', port: redis.port }] }]
          : []),
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        ...connectionRules(inputs.connectionTargets),
      ],
    },
  };
}
