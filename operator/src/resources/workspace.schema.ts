import { Type, type Static } from '@sinclair/typebox';
import { Condition } from './condition.schema.js';
import { ObjectMeta } from './object-meta.schema.js';
import { ResourceRequirements } from './resource-requirements.schema.js';

/** The same check the dataplane applies to LT_OWNER_EMAIL. */
const Email = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 254 });
const DnsSubdomain = Type.String({
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  maxLength: 253,
});
const Replicas = Type.Integer({ minimum: 0, maximum: 20 });
const AutoscaledReplicas = Type.Integer({ minimum: 1, maximum: 20 });

export const WorkspaceSpec = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    owner: Type.Object({ email: Email }, { additionalProperties: false }),
    replicas: Type.Optional(Replicas),
    resources: Type.Optional(ResourceRequirements),
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^\\S+$' })),
    deletionPolicy: Type.Optional(Type.Union([Type.Literal('Retain'), Type.Literal('Delete')])),
    publicApi: Type.Optional(
      Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    ),
    ingress: Type.Optional(
      Type.Object(
        {
          host: DnsSubdomain,
          className: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
          tls: Type.Optional(
            Type.Object(
              { secretName: Type.String({ minLength: 1, maxLength: 253 }) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    autoscaling: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          minReplicas: Type.Optional(AutoscaledReplicas),
          maxReplicas: Type.Optional(AutoscaledReplicas),
          targetCPUUtilizationPercentage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type WorkspaceSpec = Static<typeof WorkspaceSpec>;

export const WorkspacePhase = Type.Union(
  ['Pending', 'Provisioning', 'Ready', 'Failed', 'Deleting'].map((p) => Type.Literal(p)),
);
export type WorkspacePhase = 'Pending' | 'Provisioning' | 'Ready' | 'Failed' | 'Deleting';

export const WorkspaceStatus = Type.Object({
  conditions: Type.Optional(Type.Array(Condition)),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
  endpoint: Type.Optional(Type.String()),
  schema: Type.Optional(Type.String()),
  phase: Type.Optional(WorkspacePhase),
});
export type WorkspaceStatus = Omit<Static<typeof WorkspaceStatus>, 'phase'> & { phase?: WorkspacePhase };

export const Workspace = Type.Object({
  apiVersion: Type.Literal('livetables.dev/v1alpha1'),
  kind: Type.Literal('Workspace'),
  metadata: ObjectMeta,
  spec: WorkspaceSpec,
  status: Type.Optional(WorkspaceStatus),
});
export type Workspace = Omit<Static<typeof Workspace>, 'status'> & { status?: WorkspaceStatus };

/** The condition types of a Workspace's status. */
export const WorkspaceCondition = {
  Ready: 'Ready',
  DatabaseReady: 'DatabaseReady',
  DataPlaneAvailable: 'DataPlaneAvailable',
} as const;

/** The spec with every default applied (operator/README.md, the Workspace table). */
export interface ResolvedWorkspaceSpec {
  displayName: string;
  ownerEmail: string;
  replicas: number;
  /** Undefined: the operator's DATAPLANE_RESOURCES. */
  resources: ResourceRequirements | undefined;
  /** Undefined: the operator's DATAPLANE_IMAGE. */
  image: string | undefined;
  deletionPolicy: 'Retain' | 'Delete';
  publicApi: boolean;
  ingress: { host: string; className: string | undefined; tlsSecretName: string | undefined } | undefined;
  /** Set only when autoscaling is enabled. */
  autoscaling:
    { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number } | undefined;
}

export const DEFAULT_TARGET_CPU_PERCENT = 80;

export function resolveWorkspaceSpec(workspace: Pick<Workspace, 'metadata' | 'spec'>): ResolvedWorkspaceSpec {
  const { spec } = workspace;
  const autoscaling = spec.autoscaling?.enabled ? spec.autoscaling : undefined;
  return {
    displayName: spec.displayName ?? workspace.metadata.name,
    ownerEmail: spec.owner.email,
    replicas: spec.replicas ?? 1,
    resources: spec.resources,
    image: spec.image,
    deletionPolicy: spec.deletionPolicy ?? 'Retain',
    publicApi: spec.publicApi?.enabled ?? false,
    ingress: spec.ingress
      ? {
          host: spec.ingress.host,
          className: spec.ingress.className,
          tlsSecretName: spec.ingress.tls?.secretName,
        }
      : undefined,
    autoscaling: autoscaling
      ? {
          minReplicas: autoscaling.minReplicas ?? 1,
          // parseWorkspace refuses an enabled autoscaling without maxReplicas.
          maxReplicas: autoscaling.maxReplicas ?? autoscaling.minReplicas ?? 1,
          targetCPUUtilizationPercentage:
            autoscaling.targetCPUUtilizationPercentage ?? DEFAULT_TARGET_CPU_PERCENT,
        }
      : undefined,
  };
}
