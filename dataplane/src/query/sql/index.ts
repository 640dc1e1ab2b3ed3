/** LQP → SQL for PostgreSQL and MySQL/MariaDB (README in query/). */
export { compileSql, dialectFor, type CompiledSql, type OutputColumn } from './compile-sql.js';
export { runSqlQuery } from './run-sql-query.js';
export { UnsupportedIdentifierError, type SqlDialectName } from './dialect.js';
export { prepareStatement, type PreparedStatement } from './compile-sql.js';
export { StatementCache } from './statement-cache.js';
