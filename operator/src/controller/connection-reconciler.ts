import type { Logger } from '../../../dataplane/src/platform/logger.js';
import type { HostGuard } from '../../../dataplane/src/services/connections/ports.js';
import type { OperatorConfig } from '../config.js';
import { ConnectionSecretError, connectionDefinition } from '../connections/connection-definition.js';
import { ConnectionNameTakenError, TenantNotReadyError } from '../connections/connection-registrar.js';
import { checkReachability, type Reachability } from '../connections/reachability.js';
import { decodeSecretData } from '../desired/secret-values.js';
import { isConflict, isNotFound, type KubeClient, type KubeObject } from '../kube/kube-client.js';
import { childName, FINALIZER, objectKey, parseObjectKey, tenantSchemaName } from '../names.js';
import type { Condition } from '../resources/condition.schema.js';
import {
  ConnectionCondition,
  resolveConnectionSpec,
  type Connection,
  type ConnectionStatus,
} from '../resources/connection.schema.js';
import {
  isConditionTrue,
  sameConditions,
  setConditions,
  type ConditionUpdate,
} from '../resources/conditions.js';
import { InvalidResourceError, parseConnection } from '../resources/parse-resource.js';
import { WorkspaceCondition, type Workspace } from '../resources/workspace.schema.js';
import type { ReconcileResult } from '../runtime/workqueue.js';
import type { Caches } from './caches.js';
import { CONNECTIONS, refOf } from './child-kinds.js';
import type { EventRecorder } from './event-recorder.js';
import { reasonOf } from './reason.js';
import { withFinalizer, withoutFinalizer } from './finalizers.js';
import type { TenantRegistrars } from './tenant-registrars.js';

export interface ConnectionReconcilerDeps {
  client: KubeClient;
  caches: Caches;
  config: OperatorConfig;
  guard: HostGuard;
  registrars: TenantRegistrars;
  events: EventRecorder;
  log: Logger;
  /** Injectable for tests: the reachability check (connects to the database). */
  check?: typeof checkReachability;
  now?: () => Date;
}

/** How soon a Connection waiting for its Workspace looks again (the Workspace also enqueues it). */
const WAITING_RETRY_MS = 10_000;

/**
 * Reconciles one Connection (operator/README.md, *What a Connection becomes*): its Workspace
 * and Secret must exist, its host must pass the guard, then it is registered in the tenant's
 * data (sealed credentials, managed by the operator) and checked for reachability, again every
 * CONNECTION_RECHECK_SECONDS. Its status keeps the checked target, which the Workspace's
 * Deployment and NetworkPolicy are computed from.
 */
export class ConnectionReconciler {
  private readonly now: () => Date;
  private readonly check: typeof checkReachability;

  constructor(private readonly deps: ConnectionReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.check = deps.check ?? checkReachability;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const at = parseObjectKey(key);
    if (!at) return;
    const raw = this.deps.caches.connections.get(at.namespace, at.name);
    if (!raw) return;
    let connection: Connection;
    try {
      connection = parseConnection(raw);
    } catch (error) {
      if (!(error instanceof InvalidResourceError)) throw error;
      await this.notReady(raw as Connection, 'InvalidSpec', error.message);
      return;
    }
    if (connection.metadata.deletionTimestamp) return this.finalize(connection);
    if (!connection.metadata.finalizers?.includes(FINALIZER)) {
      await withFinalizer(this.deps.client, CONNECTIONS, connection as KubeObject);
      return;
    }
    return this.converge(connection);
  }

  private async converge(connection: Connection): Promise<ReconcileResult> {
    const namespace = connection.metadata.namespace ?? 'default';
    const spec = resolveConnectionSpec(connection.spec);
    const workspace = this.deps.caches.workspaces.get(namespace, spec.workspaceName) as Workspace | undefined;
    if (!workspace) {
      await this.notReady(
        connection,
        'WorkspaceNotFound',
        `Workspace ${spec.workspaceName} does not exist in ${namespace}`,
      );
      return { requeueAfterMs: WAITING_RETRY_MS };
    }
    if (!isConditionTrue(workspace.status?.conditions, WorkspaceCondition.DatabaseReady)) {
      await this.notReady(
        connection,
        'WorkspaceNotReady',
        `Workspace ${spec.workspaceName} is not DatabaseReady yet`,
      );
      return { requeueAfterMs: WAITING_RETRY_MS };
    }
    const secretName = spec.credentials.secretName;
    let secret: KubeObject & { data?: Record<string, string> };
    try {
      secret = await this.deps.client.get<KubeObject & { data?: Record<string, string> }>({
        apiVersion: 'v1',
        plural: 'secrets',
        namespace,
        name: secretName,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.notReady(
        connection,
        'SecretNotFound',
        `Secret ${secretName} does not exist in ${namespace}`,
      );
      return { requeueAfterMs: WAITING_RETRY_MS };
    }
    let definition;
    try {
      definition = connectionDefinition(spec, secretName, secret.data);
    } catch (error) {
      if (!(error instanceof ConnectionSecretError)) throw error;
      await this.notReady(connection, error.reason, error.message);
      return { requeueAfterMs: this.recheckMs() };
    }
    const uid = connection.metadata.uid ?? '';
    const reach = await this.check(uid, definition, this.deps.guard);
    let registered: ConditionUpdate;
    if (reach.reason === 'HostNotAllowed') {
      registered = {
        type: ConnectionCondition.Ready,
        status: 'False',
        reason: 'HostNotAllowed',
        message: reach.message,
      };
    } else {
      registered = await this.register(workspace, connection, definition);
    }
    const ready: ConditionUpdate =
      registered.status === 'True' && !reach.reachable
        ? { type: ConnectionCondition.Ready, status: 'False', reason: reach.reason, message: reach.message }
        : registered;
    await this.writeStatus(connection, [reachable(reach), ready], {
      ...(reach.reachable ? { tables: reach.tables } : {}),
      lastCheckedAt: reach.checkedAt.toISOString(),
      connectionId: uid,
      ...(reach.target
        ? { target: { host: definition.host, port: definition.port, addresses: [reach.target.address] } }
        : {}),
    });
    return { requeueAfterMs: this.recheckMs() };
  }

  private async register(
    workspace: Workspace,
    connection: Connection,
    definition: Parameters<typeof checkReachability>[1],
  ): Promise<ConditionUpdate> {
    const registrar = await this.registrarOf(workspace);
    if (!registrar)
      return {
        type: ConnectionCondition.Ready,
        status: 'False',
        reason: 'WorkspaceNotReady',
        message: 'the Workspace has no Secret yet',
      };
    try {
      const outcome = await registrar.register({
        id: connection.metadata.uid ?? '',
        name: connection.metadata.name,
        definition,
      });
      if (outcome.action !== 'unchanged')
        await this.deps.events.normal(
          connection as KubeObject,
          outcome.action === 'created' ? 'Registered' : 'Updated',
          `connection ${outcome.action} in workspace ${workspace.metadata.name}${outcome.changed.length ? `: ${outcome.changed.join(', ')}` : ''}`,
        );
      return {
        type: ConnectionCondition.Ready,
        status: 'True',
        reason: 'Registered',
        message: `registered in workspace ${workspace.metadata.name} as ${outcome.connectionId}`,
      };
    } catch (error) {
      if (error instanceof ConnectionNameTakenError || error instanceof TenantNotReadyError)
        return {
          type: ConnectionCondition.Ready,
          status: 'False',
          reason: reasonOf(error.code),
          message: error.message,
        };
      throw error;
    }
  }

  /** The tenant's registrar, from its Secret (the tenant role's URL and master key). */
  private async registrarOf(workspace: Workspace) {
    const namespace = workspace.metadata.namespace ?? 'default';
    const secret = this.deps.caches.children.secret.get(namespace, childName(workspace.metadata.name)) as
      { data?: Record<string, string> } | undefined;
    const values = decodeSecretData(secret?.data);
    if (!values.DATABASE_URL || !values.LT_MASTER_KEY) return undefined;
    return this.deps.registrars.registrar(objectKey(namespace, workspace.metadata.name), {
      schema: tenantSchemaName(workspace.metadata.name),
      databaseUrl: values.DATABASE_URL,
      masterKey: values.LT_MASTER_KEY,
    });
  }

  private async finalize(connection: Connection): Promise<void> {
    if (!connection.metadata.finalizers?.includes(FINALIZER)) return;
    const namespace = connection.metadata.namespace ?? 'default';
    const workspace = this.deps.caches.workspaces.get(namespace, connection.spec.workspaceRef.name) as
      Workspace | undefined;
    // A Workspace being deleted takes its tenant's data (or keeps it, Retain) with it.
    const registrar =
      workspace && !workspace.metadata.deletionTimestamp ? await this.registrarOf(workspace) : undefined;
    if (registrar) {
      try {
        if (await registrar.unregister(connection.metadata.uid ?? ''))
          await this.deps.events.normal(
            connection as KubeObject,
            'Unregistered',
            `connection removed from workspace ${workspace?.metadata.name}`,
          );
      } catch (error) {
        if (!(error instanceof TenantNotReadyError)) throw error;
      }
    }
    await withoutFinalizer(this.deps.client, CONNECTIONS, connection as KubeObject);
  }

  private recheckMs(): number {
    return this.deps.config.connectionRecheckSeconds * 1000;
  }

  private async notReady(connection: Connection, reason: string, message: string): Promise<void> {
    await this.writeStatus(connection, [
      { type: ConnectionCondition.Ready, status: 'False', reason, message },
    ]);
  }

  private async writeStatus(
    connection: Connection,
    updates: ConditionUpdate[],
    extra: Partial<ConnectionStatus> = {},
  ): Promise<void> {
    const generation = connection.metadata.generation;
    const before = connection.status ?? {};
    const conditions: Condition[] = setConditions(before.conditions, updates, generation, this.now());
    const status: ConnectionStatus = {
      ...before,
      ...extra,
      conditions,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
    const same =
      sameConditions(before.conditions, conditions) &&
      before.observedGeneration === status.observedGeneration &&
      before.tables === status.tables &&
      before.connectionId === status.connectionId &&
      JSON.stringify(before.target) === JSON.stringify(status.target) &&
      before.lastCheckedAt === status.lastCheckedAt;
    if (same) return;
    const { namespace = 'default', name } = connection.metadata;
    try {
      await this.deps.client.patch(
        { ...refOf(CONNECTIONS, namespace, name), subresource: 'status' },
        { status },
      );
    } catch (error) {
      if (!isConflict(error) && !isNotFound(error)) throw error;
    }
    // One Warning per new failure, not one per recheck of the same one.
    const failing = updates.find((u) => u.status === 'False');
    const known = before.conditions?.find((c) => c.type === failing?.type);
    if (failing && (known?.status !== 'False' || known.reason !== failing.reason))
      await this.deps.events.warning(
        connection as KubeObject,
        failing.reason,
        updates.map((u) => u.message).join('; '),
      );
  }
}

function reachable(reach: Reachability): ConditionUpdate {
  return {
    type: ConnectionCondition.Reachable,
    status: reach.reachable ? 'True' : 'False',
    reason: reach.reason,
    message: reach.message,
  };
}
