import net from 'node:net';
import { expect } from 'chai';
import type { ConnectionSettings, IDatabaseAdapter } from '../../../dataplane/src/adapters/adapter.js';
import { MysqlAdapter } from '../../../dataplane/src/adapters/mysql/mysql.adapter.js';
import { PostgresAdapter } from '../../../dataplane/src/adapters/postgres/postgres.adapter.js';
import { AdapterRegistry } from '../../../dataplane/src/adapters/registry.js';
import {
  ConnectionUnavailableError,
  ServiceUnavailableError,
} from '../../../dataplane/src/platform/errors.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const real: Record<'postgres' | 'mysql', (s: ConnectionSettings) => IDatabaseAdapter> = {
  postgres: (s) => new PostgresAdapter(s),
  mysql: (s) => new MysqlAdapter(s),
};

describe('registry with real drivers against a closed port', () => {
  for (const type of ['postgres', 'mysql'] as const) {
    it(`${type}: fails after the configured retries, then the open breaker answers fast`, async () => {
      const slept: number[] = [];
      let connects = 0;
      const registry = new AdapterRegistry({
        factory: (settings) => {
          const adapter = real[type](settings);
          const connect = adapter.connect.bind(adapter);
          adapter.connect = () => {
            connects += 1;
            return connect();
          };
          return adapter;
        },
        retry: { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void slept.push(ms) },
        breaker: { failureThreshold: 1, coolDownMs: 60_000 },
      });
      const handle = registry.get({
        id: `closed-${type}`,
        type,
        host: '127.0.0.1',
        port: await closedPort(),
        database: 'nothing',
        username: 'nobody',
        readOnly: false,
        statementTimeoutMs: 1_000,
        rowCap: 10,
        pool: { max: 1, idleMs: 1_000 },
      });
      try {
        const first = await handle.executeRawQuery({ sql: 'SELECT 1' }).catch((e: unknown) => e);
        expect(first).to.be.instanceOf(ServiceUnavailableError).with.property('code', 'connection_failed');
        expect(connects).to.equal(3);
        expect(slept).to.have.length(2);
        expect(registry.breakerState(`closed-${type}`)).to.equal('open');
        expect(registry.health.get(`closed-${type}`)?.status).to.equal('error');
        const fast = await handle.executeRawQuery({ sql: 'SELECT 1' }).catch((e: unknown) => e);
        expect(fast)
          .to.be.instanceOf(ConnectionUnavailableError)
          .with.property('code', 'connection_unavailable');
        expect(connects).to.equal(3);
      } finally {
        await registry.closeAll();
      }
    });
  }
});
