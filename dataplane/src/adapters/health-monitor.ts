import type { ConnectionTestResult } from './adapter.js';

export interface HealthStatus {
  status: 'ok' | 'error';
  checkedAt: Date;
  latencyMs: number;
  /** Why the last check failed; never carries credentials (drivers' messages name users, not passwords). */
  error?: string;
}

/** The last known status per connection id, fed by periodic checks, tests and failed connects. */
export class HealthMonitor {
  private readonly statuses = new Map<string, HealthStatus>();

  constructor(private readonly clock: () => number = Date.now) {}

  record(connectionId: string, result: ConnectionTestResult): HealthStatus {
    const status: HealthStatus = {
      status: result.ok ? 'ok' : 'error',
      checkedAt: new Date(this.clock()),
      latencyMs: result.latencyMs,
      ...(result.error === undefined ? {} : { error: result.error }),
    };
    this.statuses.set(connectionId, status);
    return status;
  }

  get(connectionId: string): HealthStatus | undefined {
    return this.statuses.get(connectionId);
  }

  all(): ReadonlyMap<string, HealthStatus> {
    return this.statuses;
  }

  forget(connectionId: string): void {
    this.statuses.delete(connectionId);
  }
}
