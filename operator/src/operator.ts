import type { KubeConfig } from '@kubernetes/client-node';
import pg from 'pg';
import type { Logger } from '../../dataplane/src/platform/logger.js';
import type { OperatorConfig } from './config.js';
import { connectionHostGuard } from './connections/connection-host-guard.js';
import { allInformers, createCaches, type Caches } from './controller/caches.js';
import { ConnectionReconciler } from './controller/connection-reconciler.js';
import { EventRecorder } from './controller/event-recorder.js';
import { TenantRegistrars } from './controller/tenant-registrars.js';
import { WorkspaceReconciler } from './controller/workspace-reconciler.js';
import { KubeClient, type KubeObject } from './kube/kube-client.js';
import { objectKey } from './names.js';
import { TenantProvisioner } from './provision/tenant-provisioner.js';
import { LeaderElector } from './runtime/leader-election.js';
import { createOperatorMetrics, queueMetricsHooks, type OperatorMetrics } from './runtime/metrics.js';
import { WorkQueue } from './runtime/workqueue.js';
import type { Connection } from './resources/connection.schema.js';

export const LEASE_NAME = 'live-tables-operator';

export interface OperatorOptions {
  /** Concurrent reconciles per kind (default 4). */
  workers?: number;
  /** For tests: how often a standby tries the Lease, and the reachability check. */
  leaderRetryPeriodMs?: number;
  check?: ConstructorParameters<typeof ConnectionReconciler>[0]['check'];
  processMetrics?: boolean;
}

/** The two work queues a leader runs; a standby has none. */
interface Queues {
  workspaces: WorkQueue;
  connections: WorkQueue;
}

/**
 * The operator process minus its HTTP endpoints: informers that keep every replica's caches
 * warm, a Lease that picks the one replica that reconciles, and, on that leader, one work queue
 * per kind fed by the informers and a periodic resync. Losing the Lease drains the queues: a
 * former leader never reconciles beside the new one.
 */
export class Operator {
  readonly metrics: OperatorMetrics;
  readonly caches: Caches;
  private readonly client: KubeClient;
  private readonly platform: pg.Pool;
  private readonly registrars = new TenantRegistrars();
  private readonly elector: LeaderElector;
  private readonly workspaceReconciler: WorkspaceReconciler;
  private readonly connectionReconciler: ConnectionReconciler;
  private queues: Queues | undefined;
  private resync: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    kc: KubeConfig,
    private readonly config: OperatorConfig,
    private readonly log: Logger,
    private readonly options: OperatorOptions = {},
  ) {
    this.metrics = createOperatorMetrics({ processMetrics: options.processMetrics ?? true });
    this.client = new KubeClient(kc);
    this.caches = createCaches(kc, config.watchNamespace, log);
    this.platform = new pg.Pool({ connectionString: config.platformDatabaseUrl, max: 4 });
    this.platform.on('error', (error) => log.warn({ err: error }, 'platform database connection lost'));
    const events = new EventRecorder(this.client, log, config.pod.name);
    this.workspaceReconciler = new WorkspaceReconciler({
      client: this.client,
      caches: this.caches,
      config,
      provisioner: new TenantProvisioner(this.platform, log),
      events,
      log,
      onDeleted: (key) => this.registrars.forget(key),
    });
    this.connectionReconciler = new ConnectionReconciler({
      client: this.client,
      caches: this.caches,
      config,
      guard: connectionHostGuard(config),
      registrars: this.registrars,
      events,
      log,
      ...(options.check ? { check: options.check } : {}),
    });
    this.elector = new LeaderElector(
      kc,
      {
        namespace: config.pod.namespace,
        name: LEASE_NAME,
        identity: config.pod.name,
        leaseDurationSeconds: config.leaseDurationSeconds,
        ...(options.leaderRetryPeriodMs ? { retryPeriodMs: options.leaderRetryPeriodMs } : {}),
        onStartedLeading: () => this.lead(),
        onStoppedLeading: () => void this.standBy(),
      },
      log,
    );
    this.wireInformers();
  }

  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  /** Every informer has listed once: the caches can be trusted. */
  get isSynced(): boolean {
    return allInformers(this.caches).every((i) => i.hasSynced);
  }

  /** Starts the informers (resolves once every one has listed), then runs for the Lease. */
  async start(): Promise<void> {
    this.started = true;
    await Promise.all(allInformers(this.caches).map((i) => i.start()));
    this.elector.start();
  }

  /** Graceful: stops electing (a leader releases the Lease), drains the reconciles, closes pools. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.elector.stop();
    await this.standBy();
    for (const informer of allInformers(this.caches)) informer.stop();
    await this.registrars.closeAll();
    await this.platform.end();
  }

  /**
   * Queues every cached Workspace and Connection now, as the periodic resync does. `full`: each
   * Workspace's desired state is computed and compared again even when none of its inputs moved.
   */
  resyncNow(options: { full?: boolean } = {}): void {
    if (options.full) this.workspaceReconciler.forgetConverged();
    this.enqueueAll();
  }

  /** Resolves once neither queue has work left (tests, the benchmark). */
  async idle(): Promise<void> {
    await Promise.all([this.queues?.workspaces.idle(), this.queues?.connections.idle()]);
  }

  private lead(): void {
    this.metrics.leader.set(1);
    const workers = this.options.workers ?? 4;
    this.queues = {
      workspaces: new WorkQueue({
        reconcile: (key) => this.workspaceReconciler.reconcile(key),
        workers,
        hooks: queueMetricsHooks(this.metrics, 'Workspace'),
      }),
      connections: new WorkQueue({
        reconcile: (key) => this.connectionReconciler.reconcile(key),
        workers,
        hooks: queueMetricsHooks(this.metrics, 'Connection'),
      }),
    };
    this.enqueueAll();
    this.resync = setInterval(() => this.enqueueAll(), this.config.resyncSeconds * 1000);
    this.resync.unref();
  }

  private async standBy(): Promise<void> {
    this.metrics.leader.set(0);
    clearInterval(this.resync);
    const queues = this.queues;
    this.queues = undefined;
    await Promise.all([queues?.workspaces.shutdown(), queues?.connections.shutdown()]);
  }

  private enqueueAll(): void {
    for (const object of this.caches.workspaces.list()) this.enqueueWorkspace(object);
    for (const object of this.caches.connections.list()) this.enqueueConnection(object);
  }

  private enqueueWorkspace(object: KubeObject): void {
    const { namespace = 'default', name } = object.metadata ?? {};
    if (!name) return;
    this.queues?.workspaces.add(objectKey(namespace, name));
    // Connections wait for their Workspace's database: tell them when it changes.
    for (const connection of this.caches.connections.list())
      if (
        connection.metadata?.namespace === namespace &&
        (connection as Connection).spec?.workspaceRef?.name === name
      )
        this.enqueueConnection(connection);
  }

  private enqueueConnection(object: KubeObject): void {
    const { namespace = 'default', name } = object.metadata ?? {};
    if (!name) return;
    this.queues?.connections.add(objectKey(namespace, name));
    // A Connection's checked target is part of its Workspace's Deployment and NetworkPolicy.
    const workspace = (object as Connection).spec?.workspaceRef?.name;
    if (workspace) this.queues?.workspaces.add(objectKey(namespace, workspace));
  }

  /** Handlers only enqueue keys; a child enqueues the Workspace it belongs to. */
  private wireInformers(): void {
    for (const event of ['add', 'update', 'delete'] as const) {
      this.caches.workspaces.on(event, (o) => this.enqueueWorkspace(o));
      this.caches.connections.on(event, (o) => this.enqueueConnection(o));
      for (const informer of Object.values(this.caches.children))
        informer.on(event, (child) => {
          const owner = child.metadata?.ownerReferences?.find((r) => r.kind === 'Workspace');
          const namespace = child.metadata?.namespace ?? 'default';
          if (owner) this.queues?.workspaces.add(objectKey(namespace, owner.name));
        });
    }
  }
}
