import type { Connection } from '../../../../operator/src/resources/connection.schema.js';
import type { Workspace } from '../../../../operator/src/resources/workspace.schema.js';

/** A minimal valid Workspace as the API server returns it; `spec` merges over the minimum. */
export function workspace(spec: Partial<Workspace['spec']> = {}, name = 'acme'): Workspace {
  return {
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Workspace',
    metadata: {
      name,
      namespace: 'tenants',
      uid: '6f1c2b9e-0000-4000-8000-000000000001',
      generation: 3,
      resourceVersion: '1042',
    },
    spec: { owner: { email: 'owner@acme.test' }, ...spec },
  };
}

export function connection(spec: Partial<Connection['spec']> = {}, name = 'warehouse'): Connection {
  return {
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Connection',
    metadata: { name, namespace: 'tenants', uid: '0c6a4f7e-0000-4000-8000-000000000002', generation: 1 },
    spec: {
      workspaceRef: { name: 'acme' },
      type: 'mysql',
      host: 'mariadb.tenants.svc',
      database: 'shop',
      credentialsSecretRef: { name: 'shop-db' },
      ...spec,
    },
  };
}
