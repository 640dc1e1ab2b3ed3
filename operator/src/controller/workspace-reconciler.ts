import type { V1Deployment } from '@kubernetes/client-node';
import type { Logger } from '../../../dataplane/src/platform/logger.js';
import type { OperatorConfig } from '../config.js';
import { desiredSecret } from '../desired/secret.js';
import { resolveSecretValues } from '../desired/secret-values.js';
import { desiredWorkloads, type DesiredWorkloads } from '../desired/desired-workloads.js';
import type { ConnectionTarget } from '../desired/workload-inputs.js';
import { isConflict, type KubeClient } from '../kube/kube-client.js';
import { childName, FINALIZER, parseObjectKey, tenantSchemaName, workspaceEndpoint } from '../names.js';
import { tenantConnectionLimit } from '../provision/connection-limit.js';
import type { TenantProvisioner } from '../provision/tenant-provisioner.js';
import type { Condition } from '../resources/condition.schema.js';
import type { Connection } from '../resources/connection.schema.js';
import {
  isConditionTrue,
  sameConditions,
  setConditions,
  type ConditionUpdate,
} from '../resources/conditions.js';
import { InvalidResourceError, parseWorkspace } from '../resources/parse-resource.js';
import {
  resolveWorkspaceSpec,
  WorkspaceCondition,
  type Workspace,
  type WorkspacePhase,
  type WorkspaceStatus,
} from '../resources/workspace.schema.js';
import type { ReconcileResult } from '../runtime/workqueue.js';
import { applyChild, type AppliedChild } from './children.js';
import { CHILD_KINDS, refOf, WORKSPACES, type ChildKindName } from './child-kinds.js';
import type { Caches } from './caches.js';
import type { EventRecorder } from './event-recorder.js';
import { reasonOf } from './reason.js';
import { withoutFinalizer, withFinalizer } from './finalizers.js';

export interface WorkspaceReconcilerDeps {
  client: KubeClient;
  caches: Caches;
  config: OperatorConfig;
  provisioner: TenantProvisioner;
  events: EventRecorder;
  log: Logger;
  /** Called once a Workspace is gone (its tenant's resources can be let go). */
  onDeleted?(key: string): Promise<void>;
  now?: () => Date;
}

/** Children in the order they are applied after the Secret (the Deployment reads the Secret). */
const WORKLOADS: [ChildKindName, keyof DesiredWorkloads][] = [
  ['deployment', 'deployment'],
  ['service', 'service'],
  ['networkPolicy', 'networkPolicy'],
  ['podDisruptionBudget', 'podDisruptionBudget'],
  ['horizontalPodAutoscaler', 'horizontalPodAutoscaler'],
  ['ingress', 'ingress'],
];

/** What provisioning last did for a Workspace: it runs again when any of this changes, or on resync. */
interface Provisioned {
  generation: number;
  secretVersion: string;
  at: number;
}

/**
 * Reconciles one Workspace (operator/README.md, *What a Workspace becomes*): level-triggered and
 * idempotent. It reads the Workspace and its children from the informers' caches, computes the
 * desired children with pure functions, applies only the difference, and writes the status only
 * when it changed, so a reconcile of a Workspace that is as it should be makes no write at all.
 */
export class WorkspaceReconciler {
  private readonly provisioned = new Map<string, Provisioned>();
  /** What a Workspace's last successful reconcile saw: the same inputs would give the same result. */
  private readonly converged = new Map<string, string>();
  private readonly now: () => Date;

  constructor(private readonly deps: WorkspaceReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Forgets what every Workspace's last reconcile saw: the next ones compute and compare all. */
  forgetConverged(): void {
    this.converged.clear();
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const at = parseObjectKey(key);
    if (!at) return;
    const raw = this.deps.caches.workspaces.get(at.namespace, at.name);
    if (!raw) {
      this.provisioned.delete(key);
      this.converged.delete(key);
      await this.deps.onDeleted?.(key);
      return;
    }
    let workspace: Workspace;
    try {
      workspace = parseWorkspace(raw);
    } catch (error) {
      if (!(error instanceof InvalidResourceError)) throw error;
      await this.writeStatus(raw as Workspace, 'Failed', [
        { type: WorkspaceCondition.Ready, status: 'False', reason: 'InvalidSpec', message: error.message },
      ]);
      await this.deps.events.warning(raw, 'InvalidSpec', error.message);
      return;
    }
    if (workspace.metadata.deletionTimestamp) return this.finalize(key, workspace);
    if (!workspace.metadata.finalizers?.includes(FINALIZER)) {
      // The update comes back through the informer and reconciles again, finalizer in place.
      await withFinalizer(this.deps.client, WORKSPACES, workspace);
      return;
    }
    const seen = this.fingerprint(key, workspace);
    if (this.converged.get(key) === seen) return;
    try {
      await this.converge(key, workspace);
      // Whatever it wrote comes back through the informers with new resourceVersions, so the
      // next reconcile still runs, finds everything as desired, and is remembered in turn.
      this.converged.set(key, this.fingerprint(key, workspace));
      return;
    } catch (error) {
      this.converged.delete(key);
      if (!isConflict(error)) await this.failed(workspace, error);
      throw error;
    }
  }

  /**
   * Every input of a reconcile: the Workspace's and each child's resourceVersion, its
   * Connections' targets, and the resync period it falls in (provisioning runs once a period).
   */
  private fingerprint(key: string, workspace: Workspace): string {
    const { namespace = 'default', name } = workspace.metadata;
    const child = childName(name);
    const children = Object.values(this.deps.caches.children).map(
      (informer) => informer.get(namespace, child)?.metadata?.resourceVersion ?? '-',
    );
    const period = Math.floor(this.now().getTime() / (this.deps.config.resyncSeconds * 1000));
    return [
      workspace.metadata.resourceVersion,
      ...children,
      JSON.stringify(this.connectionTargets(namespace, name)),
      period,
      key,
    ].join('|');
  }

  private async converge(key: string, workspace: Workspace): Promise<ReconcileResult> {
    const { namespace = 'default', name } = workspace.metadata;
    const spec = resolveWorkspaceSpec(workspace);
    const child = childName(name);
    const schema = tenantSchemaName(name);
    const cached = (kind: ChildKindName) => this.deps.caches.children[kind].get(namespace, child);

    const existingSecret = cached('secret') as { data?: Record<string, string> } | undefined;
    const values = resolveSecretValues(workspace, this.deps.config, existingSecret?.data);
    const secret = await this.apply(workspace, 'secret', desiredSecret(workspace, values.data));
    const secretVersion = secret.object?.metadata?.resourceVersion ?? '';

    const database = await this.provision(key, workspace, values, secretVersion);

    const workloads = desiredWorkloads({
      workspace,
      config: this.deps.config,
      secretResourceVersion: secretVersion,
      connectionTargets: this.connectionTargets(namespace, name),
    });
    let deployment: V1Deployment | undefined;
    for (const [kind, member] of WORKLOADS) {
      const applied = await this.apply(workspace, kind, workloads[member]);
      if (kind === 'deployment') deployment = applied.object as V1Deployment | undefined;
    }

    const available = deploymentAvailable(deployment, spec.autoscaling ? undefined : spec.replicas);
    const conditions: ConditionUpdate[] = [
      database,
      available
        ? {
            type: WorkspaceCondition.DataPlaneAvailable,
            status: 'True',
            reason: 'Available',
            message: available,
          }
        : {
            type: WorkspaceCondition.DataPlaneAvailable,
            status: 'False',
            reason: 'Deploying',
            message: `Deployment ${child} is not available yet`,
          },
    ];
    const ready = database.status === 'True' && available !== undefined;
    conditions.push(
      ready
        ? {
            type: WorkspaceCondition.Ready,
            status: 'True',
            reason: 'Ready',
            message: `serving at ${workspaceEndpoint(name, namespace)}`,
          }
        : {
            type: WorkspaceCondition.Ready,
            status: 'False',
            reason: database.status === 'True' ? 'DataPlaneUnavailable' : 'DatabaseNotReady',
            message: database.status === 'True' ? 'waiting for the dataplane' : database.message,
          },
    );
    const wasReady = isConditionTrue(workspace.status?.conditions, WorkspaceCondition.Ready);
    const changed = await this.writeStatus(workspace, ready ? 'Ready' : 'Provisioning', conditions, {
      endpoint: workspaceEndpoint(name, namespace),
      schema,
    });
    if (changed && ready && !wasReady)
      await this.deps.events.normal(
        workspace,
        'Ready',
        `Workspace ${name} is ready at ${workspaceEndpoint(name, namespace)}`,
      );
    return;
  }

  /**
   * The tenant's role, schema and migrations: run when the spec or the Secret changed, when the
   * database was not ready, and once a resync period otherwise (so a dropped schema comes back).
   */
  private async provision(
    key: string,
    workspace: Workspace,
    values: ReturnType<typeof resolveSecretValues>,
    secretVersion: string,
  ): Promise<ConditionUpdate> {
    const generation = workspace.metadata.generation ?? 0;
    const last = this.provisioned.get(key);
    const fresh =
      last &&
      last.generation === generation &&
      last.secretVersion === secretVersion &&
      this.now().getTime() - last.at < this.deps.config.resyncSeconds * 1000 &&
      isConditionTrue(workspace.status?.conditions, WorkspaceCondition.DatabaseReady);
    const ready: ConditionUpdate = {
      type: WorkspaceCondition.DatabaseReady,
      status: 'True',
      reason: 'Provisioned',
      message: `schema and role ${tenantSchemaName(workspace.metadata.name)} are ready`,
    };
    if (fresh) return ready;
    const spec = resolveWorkspaceSpec(workspace);
    const outcome = await this.deps.provisioner.provision({
      slug: workspace.metadata.name,
      schema: tenantSchemaName(workspace.metadata.name),
      displayName: spec.displayName,
      ownerEmail: spec.ownerEmail,
      password: values.password,
      databaseUrl: values.data.DATABASE_URL,
      connectionLimit: tenantConnectionLimit(spec),
    });
    this.provisioned.set(key, { generation, secretVersion, at: this.now().getTime() });
    const schema = tenantSchemaName(workspace.metadata.name);
    if (outcome.roleCreated)
      await this.deps.events.normal(workspace, 'RoleCreated', `role ${schema} created`);
    if (outcome.schemaCreated)
      await this.deps.events.normal(workspace, 'SchemaCreated', `schema ${schema} created`);
    if (outcome.migrations.length > 0)
      await this.deps.events.normal(workspace, 'Migrated', `${outcome.migrations.length} migrations applied`);
    return ready;
  }

  /** The admitted targets of the Workspace's Connections, as their status records them. */
  private connectionTargets(namespace: string, name: string): ConnectionTarget[] {
    return this.deps.caches.connections
      .list()
      .map((object) => object as unknown as Connection)
      .filter(
        (c) =>
          c.metadata.namespace === namespace &&
          c.spec?.workspaceRef?.name === name &&
          !c.metadata.deletionTimestamp,
      )
      .flatMap((c) => (c.status?.target ? [c.status.target] : []))
      .sort((a, b) => `${a.host}:${a.port}`.localeCompare(`${b.host}:${b.port}`));
  }

  private async apply(
    workspace: Workspace,
    kind: ChildKindName,
    desired: object | null,
  ): Promise<AppliedChild> {
    const { namespace = 'default', name } = workspace.metadata;
    const child = childName(name);
    const applied = await applyChild(
      this.deps.client,
      CHILD_KINDS[kind],
      namespace,
      child,
      desired,
      this.deps.caches.children[kind].get(namespace, child),
    );
    const what = `${CHILD_KINDS[kind].kind} ${child}`;
    if (applied.action === 'created')
      await this.deps.events.normal(workspace, `${CHILD_KINDS[kind].kind}Created`, `${what} created`);
    if (applied.action === 'updated')
      await this.deps.events.normal(
        workspace,
        `${CHILD_KINDS[kind].kind}Updated`,
        `${what} repaired: ${applied.drifted.join(', ')}`,
      );
    if (applied.action === 'deleted')
      await this.deps.events.normal(workspace, `${CHILD_KINDS[kind].kind}Deleted`, `${what} deleted`);
    return applied;
  }

  /** deletionPolicy applied to the schema and role, then the finalizer goes; children follow by GC. */
  private async finalize(key: string, workspace: Workspace): Promise<void> {
    if (!workspace.metadata.finalizers?.includes(FINALIZER)) return;
    await this.writeStatus(workspace, 'Deleting', []);
    const policy = resolveWorkspaceSpec(workspace).deletionPolicy;
    await this.deps.provisioner.deprovision(tenantSchemaName(workspace.metadata.name), policy);
    await this.deps.events.normal(
      workspace,
      policy === 'Delete' ? 'SchemaDropped' : 'SchemaRetained',
      policy === 'Delete'
        ? `schema and role ${tenantSchemaName(workspace.metadata.name)} dropped`
        : `schema and role ${tenantSchemaName(workspace.metadata.name)} kept (deletionPolicy Retain), login disabled`,
    );
    this.provisioned.delete(key);
    await this.deps.onDeleted?.(key);
    await withoutFinalizer(this.deps.client, WORKSPACES, workspace);
  }

  private async failed(workspace: Workspace, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const reason = code ? reasonOf(code) : 'ReconcileFailed';
    const database = isConditionTrue(workspace.status?.conditions, WorkspaceCondition.DatabaseReady);
    await this.writeStatus(workspace, 'Provisioning', [
      ...(database
        ? []
        : [{ type: WorkspaceCondition.DatabaseReady, status: 'False' as const, reason, message }]),
      { type: WorkspaceCondition.Ready, status: 'False', reason, message },
    ]).catch((failure: unknown) =>
      this.deps.log.warn({ err: failure }, 'status not written after a failure'),
    );
    await this.deps.events.warning(workspace, 'ReconcileFailed', message);
  }

  /** Writes the status through its subresource when it says something new; true if it did. */
  private async writeStatus(
    workspace: Workspace,
    phase: WorkspacePhase,
    updates: ConditionUpdate[],
    extra: Partial<WorkspaceStatus> = {},
  ): Promise<boolean> {
    const generation = workspace.metadata.generation;
    const before = workspace.status ?? {};
    const conditions: Condition[] = setConditions(before.conditions, updates, generation, this.now());
    const status: WorkspaceStatus = {
      ...before,
      ...extra,
      conditions,
      phase,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
    const same =
      sameConditions(before.conditions, conditions) &&
      before.phase === status.phase &&
      before.observedGeneration === status.observedGeneration &&
      before.endpoint === status.endpoint &&
      before.schema === status.schema;
    if (same) return false;
    const { namespace = 'default', name } = workspace.metadata;
    await this.deps.client.patch(
      { ...refOf(WORKSPACES, namespace, name), subresource: 'status' },
      { status },
    );
    return true;
  }
}

/** "Available" (the message) when the Deployment's Available condition is true at its replicas. */
function deploymentAvailable(
  deployment: V1Deployment | undefined,
  replicas: number | undefined,
): string | undefined {
  const condition = deployment?.status?.conditions?.find((c) => c.type === 'Available');
  if (condition?.status !== 'True') return undefined;
  const ready = deployment?.status?.readyReplicas ?? 0;
  if (replicas !== undefined && ready < replicas) return undefined;
  return `${ready} of ${deployment?.spec?.replicas ?? ready} replicas ready`;
}
