import type {
  ConnectionSettings,
  ConnectionTestResult,
  DiscoveredSchema,
  ExecuteOptions,
  IDatabaseAdapter,
  LogicalQueryResult,
  RawQuery,
  RawQueryResult,
} from './adapter.js';
import type { LogicalQuery } from '../query/lqp.js';

/** What a managed handle needs from the registry (kept narrow so there is no import cycle). */
export interface AdapterRunner {
  run<T>(settings: ConnectionSettings, fn: (adapter: IDatabaseAdapter) => Promise<T>): Promise<T>;
  test(settings: ConnectionSettings): Promise<ConnectionTestResult>;
  release(connectionId: string): Promise<void>;
}

/**
 * The adapter callers hold: every call looks its pool up again in the registry, so a handle
 * stays valid after its pool was evicted or closed for idleness (the next call reopens it).
 */
export class ManagedAdapter implements IDatabaseAdapter {
  readonly type: IDatabaseAdapter['type'];

  constructor(
    private readonly runner: AdapterRunner,
    private readonly settings: ConnectionSettings,
  ) {
    this.type = settings.type;
  }

  connect(): Promise<void> {
    return this.runner.run(this.settings, async () => undefined);
  }

  disconnect(): Promise<void> {
    return this.runner.release(this.settings.id);
  }

  testConnection(): Promise<ConnectionTestResult> {
    return this.runner.test(this.settings);
  }

  discoverSchema(): Promise<DiscoveredSchema> {
    return this.runner.run(this.settings, (a) => a.discoverSchema());
  }

  executeLogicalQuery(query: LogicalQuery, options?: ExecuteOptions): Promise<LogicalQueryResult> {
    return this.runner.run(this.settings, (a) => a.executeLogicalQuery(query, options));
  }

  executeRawQuery(raw: RawQuery): Promise<RawQueryResult> {
    return this.runner.run(this.settings, (a) => a.executeRawQuery(raw));
  }
}
