import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { childName, GROUP_VERSION } from '../names.js';
import type { Workspace } from '../resources/workspace.schema.js';

/** The labels of every child (operator/README.md, _Names_). */
export function childLabels(workspaceName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'live-tables-dataplane',
    'app.kubernetes.io/instance': workspaceName,
    'app.kubernetes.io/component': 'dataplane',
    'app.kubernetes.io/managed-by': 'live-tables-operator',
    'app.kubernetes.io/part-of': 'live-tables',
  };
}

/** What selects a Workspace's pods: the labels that never change (a Deployment's selector is immutable). */
export function podSelector(workspaceName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'live-tables-dataplane', 'app.kubernetes.io/instance': workspaceName };
}

/** The Workspace as the controller owner, so deleting it garbage-collects the child. */
export function ownerReference(workspace: Pick<Workspace, 'metadata'>): V1OwnerReference {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'Workspace',
    name: workspace.metadata.name,
    uid: workspace.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `lt-<name>` in the Workspace's namespace, with the labels and the owner reference. */
export function childMetadata(workspace: Pick<Workspace, 'metadata'>): V1ObjectMeta {
  return {
    name: childName(workspace.metadata.name),
    namespace: workspace.metadata.namespace,
    labels: childLabels(workspace.metadata.name),
    ownerReferences: [ownerReference(workspace)],
  };
}
