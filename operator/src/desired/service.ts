import type { V1Service } from '@kubernetes/client-node';
import { DATAPLANE_PORT, DATAPLANE_PORT_NAME } from '../names.js';
import type { Workspace } from '../resources/workspace.schema.js';
import { childMetadata, podSelector } from './child-metadata.js';

/** ClusterIP `lt-<name>`, port 8080 to the pods' `http` port: the Workspace's endpoint. */
export function desiredService(workspace: Workspace): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(workspace),
    spec: {
      type: 'ClusterIP',
      selector: podSelector(workspace.metadata.name),
      ports: [
        { name: DATAPLANE_PORT_NAME, port: DATAPLANE_PORT, targetPort: DATAPLANE_PORT_NAME, protocol: 'TCP' },
      ],
    },
  };
}
