/**
 * Everything the operator creates for a Workspace is named from the Workspace's name, a DNS-1123
 * label of at most 40 characters (operator/README.md, _Names_). This is the one place those
 * names are made, so a child is found again by computing its name, never by searching.
 */
export const API_GROUP = 'livetables.dev';
export const API_VERSION = 'v1alpha1';
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/** Added first to every Workspace and Connection; removed once their cleanup has run. */
export const FINALIZER = `${API_GROUP}/cleanup`;
/** On the pod template: changes whenever the pods must restart to see new configuration. */
export const SPEC_HASH_ANNOTATION = `${API_GROUP}/spec-hash`;

/** The dataplane container's port (and the Service's), named `http`. */
export const DATAPLANE_PORT = 8080;
export const DATAPLANE_PORT_NAME = 'http';

const WORKSPACE_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** A Workspace name the names below can be made from (DNS-1123 label, at most 40 characters). */
export function isWorkspaceName(name: string): boolean {
  return WORKSPACE_NAME.test(name);
}

export class InvalidWorkspaceNameError extends Error {
  readonly code = 'invalid_workspace_name';
  constructor(name: string) {
    super(`Workspace name ${JSON.stringify(name)} is not a DNS-1123 label of at most 40 characters`);
  }
}

function checked(name: string): string {
  if (!isWorkspaceName(name)) throw new InvalidWorkspaceNameError(name);
  return name;
}

/** `lt_ws_<name>` with `-` as `_`: the tenant's PostgreSQL schema and role (the same name). */
export function tenantSchemaName(workspaceName: string): string {
  return `lt_ws_${checked(workspaceName).replaceAll('-', '_')}`;
}

/** `lt-<name>`: the Secret, Deployment, Service, NetworkPolicy, PDB, HPA and Ingress. */
export function childName(workspaceName: string): string {
  return `lt-${checked(workspaceName)}`;
}

/** What the Workspace's status reports as its endpoint: the Service inside the cluster. */
export function workspaceEndpoint(workspaceName: string, namespace: string): string {
  return `http://${childName(workspaceName)}.${namespace}.svc:${DATAPLANE_PORT}`;
}

/** The work queue key of a namespaced object. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The inverse of objectKey; undefined for a key that is not `namespace/name`. */
export function parseObjectKey(key: string): { namespace: string; name: string } | undefined {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash !== key.lastIndexOf('/') || slash === key.length - 1) return undefined;
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
