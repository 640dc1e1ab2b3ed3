import type { KubeObject } from '../kube/kube-client.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../dataplane/src/platform/logger.js';
import { Informer } from '../runtime/informer.js';
import { CHILD_KINDS, CONNECTIONS, MANAGED_SELECTOR, WORKSPACES, type ChildKindName } from './child-kinds.js';

/** The operator's view of the cluster: Workspaces, Connections and the children it made. */
export interface Caches {
  workspaces: Informer<KubeObject>;
  connections: Informer<KubeObject>;
  children: Record<ChildKindName, Informer<KubeObject>>;
}

/** Informers for every kind, in `namespace` or all; children only those labelled as the operator's. */
export function createCaches(kc: KubeConfig, namespace: string | undefined, log: Logger): Caches {
  const scope = namespace ? { namespace } : {};
  const children = Object.fromEntries(
    Object.entries(CHILD_KINDS).map(([name, kind]) => [
      name,
      new Informer<KubeObject>(kc, { ...kind, ...scope, labelSelector: MANAGED_SELECTOR }, log),
    ]),
  ) as Record<ChildKindName, Informer<KubeObject>>;
  return {
    workspaces: new Informer(kc, { ...WORKSPACES, ...scope }, log),
    connections: new Informer(kc, { ...CONNECTIONS, ...scope }, log),
    children,
  };
}

export function allInformers(caches: Caches): Informer<KubeObject>[] {
  return [caches.workspaces, caches.connections, ...Object.values(caches.children)];
}
