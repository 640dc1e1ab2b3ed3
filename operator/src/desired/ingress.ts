import type { V1Ingress } from '@kubernetes/client-node';
import { childName, DATAPLANE_PORT_NAME } from '../names.js';
import { resolveWorkspaceSpec, type Workspace } from '../resources/workspace.schema.js';
import { childMetadata } from './child-metadata.js';

/** The Ingress `spec.ingress` asks for: every path of its host to the Service; null without it. */
export function desiredIngress(workspace: Workspace): V1Ingress | null {
  const ingress = resolveWorkspaceSpec(workspace).ingress;
  if (!ingress) return null;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: childMetadata(workspace),
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: {
                  service: { name: childName(workspace.metadata.name), port: { name: DATAPLANE_PORT_NAME } },
                },
              },
            ],
          },
        },
      ],
      ...(ingress.tlsSecretName
        ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }
        : {}),
    },
  };
}
