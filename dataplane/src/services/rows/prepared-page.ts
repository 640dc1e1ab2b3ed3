import type { Knex } from 'knex';
import type { QueryResult } from '../../query/lqp.js';
import type { PreparedStatement } from '../../query/sql/index.js';
import { queryDriver, statementName } from '../../store/prepared.js';

const statementNames = new WeakMap<PreparedStatement, string>();

/**
 * Runs a list statement the query layer prepared (row lists, view pages) on the platform's pool
 * as a named prepared statement, and reads its rows into a page. `salt` is what the statement's
 * result shape depends on beyond its text (the schema versions of the tables it reads): a
 * prepared plan survives DDL, not a change of its row type (ADR 0015). Names are hashed once per
 * cached statement.
 */
export async function runPreparedPage(
  knex: Knex,
  statement: PreparedStatement,
  salt: string,
): Promise<QueryResult> {
  let name = statementNames.get(statement);
  if (name === undefined) {
    name = statementName(statement.sql, salt);
    statementNames.set(statement, name);
  }
  return statement.readPage(
    await queryDriver(knex, { name, text: statement.sql, values: statement.bindings }),
  );
}
