import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  namespace: string;
  /** The Lease's name (`live-tables-operator`). */
  name: string;
  /** This replica (its pod name). */
  identity: string;
  /** A lease not renewed for this long may be taken over. */
  leaseDurationSeconds: number;
  /** How often the leader renews, and a standby tries. Default: a third of the lease. */
  retryPeriodMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** Injectable for tests. */
  now?: () => Date;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's: the holder renews
 * `renewTime` every retry period; a standby takes the lease over (a new `acquireTime`,
 * `leaseTransitions` + 1) once it has gone unrenewed for `leaseDurationSeconds`. Every write
 * carries the resourceVersion it read, so of two replicas racing for the lease the API server
 * lets one win (409 for the other). A leader that cannot renew before its lease runs out stops
 * leading, rather than reconcile beside a new leader.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly now: () => Date;
  private readonly retryPeriodMs: number;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private lastRenewed = 0;
  private running = false;

  constructor(
    kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.now = options.now ?? (() => new Date());
    this.retryPeriodMs = options.retryPeriodMs ?? Math.max(100, (options.leaseDurationSeconds * 1000) / 3);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running = true;
    void this.tick();
  }

  /** Stops trying; a leader gives the lease up so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.stepDown();
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity === this.options.identity) {
        lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 };
        await this.api.replaceNamespacedLease({
          name: this.options.name,
          namespace: this.options.namespace,
          body: lease,
        });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not release the leader lease; it will expire');
    }
  }

  private async tick(): Promise<void> {
    try {
      const held = await this.tryAcquireOrRenew();
      if (held) {
        this.lastRenewed = this.now().getTime();
        if (!this.leading) {
          this.leading = true;
          this.log.info({ identity: this.options.identity }, 'became leader');
          this.options.onStartedLeading();
        }
      } else if (this.leading) this.stepDown();
    } catch (error) {
      this.log.warn({ err: error }, 'leader election round failed');
      // Without a renewal for a whole lease, another replica may lead by now.
      if (this.leading && this.now().getTime() - this.lastRenewed >= this.options.leaseDurationSeconds * 1000)
        this.stepDown();
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.retryPeriodMs);
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.log.warn({ identity: this.options.identity }, 'stopped leading');
    this.options.onStoppedLeading();
  }

  /** True when this replica holds the lease after this round. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity, leaseDurationSeconds } = this.options;
    const now = this.now();
    const lease = await this.read();
    if (!lease) {
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false; // another replica created it first
        throw error;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const expired = !holder || renewed + duration <= now.getTime();
    if (holder !== identity && !expired) return false;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      ...(holder === identity
        ? {}
        : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false; // another replica wrote first
      throw error;
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
      });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: number; statusCode?: number };
  return e.code ?? e.statusCode;
}
