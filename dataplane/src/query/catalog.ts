/**
 * What a compiler knows about a source: its tables, their columns with logical types, and primary
 * keys. Adapters build it by schema discovery; the internal mini-DB builds it from its metadata.
 * Identifiers in compiled queries come only from here, never from the query's text.
 */
export const LOGICAL_TYPES = [
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'json',
  'uuid',
  'binary',
  'unknown',
] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export interface CatalogColumn {
  name: string;
  type: LogicalType;
  nullable: boolean;
  /** The source's own type name (`varchar(20)`, `timestamptz`, `objectId`), for display. */
  nativeType?: string;
  /**
   * The column's name in SQL when queries name it differently: the mini-DB's columns are
   * `c_<id>` in SQL and their user-facing names in queries. SQL compilers only.
   */
  sqlName?: string;
  /**
   * SQL sources only: the column is an expression over its row rather than a stored column
   * (the mini-DB's rollups: a correlated aggregate over a link table). `row` is the row's table
   * alias as the statement quotes it.
   */
  expression?: SqlColumnExpression;
}

/** A SQL fragment as the compilers build them (structural, so the catalog needs no compiler types). */
export interface SqlText {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

export type SqlColumnExpression = (
  row: SqlText,
  dialect: { identifier(...names: string[]): SqlText },
) => SqlText;

/** The identifier a SQL statement uses for a catalog column. */
export const sqlNameOf = (column: CatalogColumn): string => column.sqlName ?? column.name;

export interface CatalogTable {
  /** Postgres schema, MySQL database or MongoDB database; undefined = the connection's default. */
  schema?: string;
  name: string;
  columns: CatalogColumn[];
  /** Unique, non-null key used as the keyset tiebreaker (`_id` for MongoDB). */
  primaryKey: string[];
}

export interface Catalog {
  table(name: string, schema?: string): CatalogTable | undefined;
}

/** A catalog over a fixed list of tables. */
export function catalogOf(tables: CatalogTable[]): Catalog {
  const key = (name: string, schema?: string) => `${schema ?? ''}\u0000${name}`;
  const byKey = new Map(tables.map((t) => [key(t.name, t.schema), t]));
  return {
    table: (name, schema) =>
      byKey.get(key(name, schema)) ??
      (schema === undefined ? tables.find((t) => t.name === name) : undefined),
  };
}
