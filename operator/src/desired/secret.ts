import type { V1Secret } from '@kubernetes/client-node';
import type { Workspace } from '../resources/workspace.schema.js';
import { childMetadata } from './child-metadata.js';
import type { TenantSecretData } from './secret-values.js';

/** The Secret `lt-<name>` (Opaque), values base64 as the API server keeps them in `data`. */
export function desiredSecret(workspace: Pick<Workspace, 'metadata'>, values: TenantSecretData): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMetadata(workspace),
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
    ),
  };
}
