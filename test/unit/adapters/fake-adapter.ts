import type {
  ConnectionSettings,
  ConnectionTestResult,
  DiscoveredSchema,
  IDatabaseAdapter,
  LogicalQueryResult,
  RawQueryResult,
} from '../../../dataplane/src/adapters/adapter.js';

/** A scripted adapter: counts calls, fails `connect` while `down`, lets a query hang on demand. */
export class FakeAdapter implements IDatabaseAdapter {
  readonly type = 'postgres' as const;
  connects = 0;
  disconnects = 0;
  connected = false;
  down = false;
  /** When set, executeRawQuery waits for this promise. */
  hold: Promise<void> | undefined;

  constructor(readonly settings: ConnectionSettings) {}

  async connect(): Promise<void> {
    this.connects += 1;
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.disconnects += 1;
    this.connected = false;
  }

  async testConnection(): Promise<ConnectionTestResult> {
    return this.down || !this.connected
      ? { ok: false, latencyMs: 1, error: 'down' }
      : { ok: true, latencyMs: 1, serverVersion: 'fake 1' };
  }

  async discoverSchema(): Promise<DiscoveredSchema> {
    return { schemas: ['public'], tables: [] };
  }

  async executeLogicalQuery(): Promise<LogicalQueryResult> {
    return { rows: [], nextCursor: null };
  }

  async executeRawQuery(): Promise<RawQueryResult> {
    if (this.hold) await this.hold;
    return { rows: [{ id: this.settings.id }], truncated: false };
  }
}

export function settingsFor(id: string, overrides: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    id,
    type: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    database: 'db',
    readOnly: false,
    statementTimeoutMs: 1_000,
    rowCap: 100,
    pool: { max: 2, idleMs: 1_000 },
    ...overrides,
  };
}
