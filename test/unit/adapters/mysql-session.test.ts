import { expect } from 'chai';
import { sessionSetup } from '../../../dataplane/src/adapters/mysql/mysql-pool.js';

describe('MySQL session setup', () => {
  it('puts every session in UTC and in the flavour’s statement timeout', () => {
    expect(sessionSetup('10.11.6-MariaDB', { statementTimeoutMs: 1500, readOnly: false })).to.deep.equal([
      { sql: "SET time_zone = '+00:00'", values: [] },
      { sql: 'SET SESSION max_statement_time = ?', values: [1.5] },
    ]);
    expect(sessionSetup('8.0.36', { statementTimeoutMs: 1500, readOnly: false })).to.deep.equal([
      { sql: "SET time_zone = '+00:00'", values: [] },
      { sql: 'SET SESSION MAX_EXECUTION_TIME = ?', values: [1500] },
    ]);
  });

  it('makes READ ONLY the transaction mode of a read-only connection’s sessions', () => {
    expect(sessionSetup('8.0.36', { statementTimeoutMs: 0, readOnly: true })).to.deep.equal([
      { sql: "SET time_zone = '+00:00'", values: [] },
      { sql: 'SET SESSION TRANSACTION READ ONLY', values: [] },
    ]);
  });
});
