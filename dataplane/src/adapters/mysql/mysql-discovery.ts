import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { DiscoveredTable, DiscoveredSchema } from '../adapter.js';
import { byCodePoint } from '../sql/order.js';
import { logicalTypeOf } from './mysql-types.js';

const TABLES_SQL = `
  SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_ROWS AS estimate
  FROM information_schema.TABLES
  WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
  ORDER BY TABLE_NAME`;

const COLUMNS_SQL = `
  SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type,
         IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?
  ORDER BY TABLE_NAME, ORDINAL_POSITION`;

const KEYS_SQL = `
  SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, COLUMN_NAME AS col,
         REFERENCED_TABLE_SCHEMA AS ref_schema, REFERENCED_TABLE_NAME AS ref_table,
         REFERENCED_COLUMN_NAME AS ref_col
  FROM information_schema.KEY_COLUMN_USAGE
  WHERE TABLE_SCHEMA = ? AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL)
  ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`;

const INDEXES_SQL = `
  SELECT TABLE_NAME AS tbl, INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS col
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
  ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

interface ColumnRow extends RowDataPacket {
  tbl: string;
  name: string;
  data_type: string;
  column_type: string;
  nullable: 'YES' | 'NO';
  dflt: string | null;
  extra: string;
}

/**
 * MariaDB prints defaults as expressions: `NULL` for "no default" on a nullable column,
 * strings quoted. MySQL prints NULL as SQL NULL. auto_increment shows as the default.
 */
function defaultOf(row: ColumnRow): string | null {
  if (row.dflt !== null && row.dflt !== 'NULL') return row.dflt;
  return /auto_increment/i.test(row.extra) ? 'auto_increment' : null;
}

/**
 * The connection's database only (a MySQL "schema"); four information_schema queries. Names
 * are ordered by code point, as the Postgres adapter orders them, whatever the server collation.
 */
export async function discoverMysql(conn: Connection, database: string): Promise<DiscoveredSchema> {
  const [tableRows] = await conn.query<RowDataPacket[]>(TABLES_SQL, [database]);
  const [columnRows] = await conn.query<ColumnRow[]>(COLUMNS_SQL, [database]);
  const [keyRows] = await conn.query<RowDataPacket[]>(KEYS_SQL, [database]);
  const [indexRows] = await conn.query<RowDataPacket[]>(INDEXES_SQL, [database]);
  const byName = new Map<string, DiscoveredTable>();
  const tables = tableRows.map((row) => {
    const isView = row.type === 'VIEW';
    const table: DiscoveredTable = {
      schema: database,
      name: String(row.name),
      kind: isView ? 'view' : 'table',
      rowEstimate: isView || row.estimate === null ? null : Number(row.estimate),
      columns: [],
      primaryKey: [],
      foreignKeys: [],
      indexes: [],
    };
    byName.set(table.name, table);
    return table;
  });
  for (const row of columnRows) {
    const table = byName.get(row.tbl);
    table?.columns.push({
      name: row.name,
      type: logicalTypeOf(row.data_type, row.column_type),
      nullable: row.nullable === 'YES',
      nativeType: row.column_type,
      default: table.kind === 'view' ? null : defaultOf(row),
    });
  }
  for (const row of keyRows) {
    const table = byName.get(String(row.tbl));
    if (!table) continue;
    if (row.name === 'PRIMARY') {
      table.primaryKey.push(String(row.col));
      continue;
    }
    let fk = table.foreignKeys.find((f) => f.name === row.name);
    if (!fk) {
      fk = {
        name: String(row.name),
        columns: [],
        refSchema: String(row.ref_schema),
        refTable: String(row.ref_table),
        refColumns: [],
      };
      table.foreignKeys.push(fk);
    }
    fk.columns.push(String(row.col));
    fk.refColumns.push(String(row.ref_col));
  }
  for (const row of indexRows) {
    const table = byName.get(String(row.tbl));
    if (!table) continue;
    let index = table.indexes.find((i) => i.name === row.name);
    if (!index) {
      index = { name: String(row.name), columns: [], unique: Number(row.non_unique) === 0 };
      table.indexes.push(index);
    }
    index.columns.push(row.col === null ? '(expression)' : String(row.col));
  }
  for (const table of tables) table.indexes.sort((a, b) => byCodePoint(a.name, b.name));
  return { schemas: [database], tables: tables.sort((a, b) => byCodePoint(a.name, b.name)) };
}
