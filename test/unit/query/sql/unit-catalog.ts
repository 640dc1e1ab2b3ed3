import { catalogOf, type CatalogColumn, type CatalogTable } from '../../../../dataplane/src/query/catalog.js';

/** A small catalog for compiler unit tests: two hops of joins, a schema, and a table without a key. */
const col = (name: string, type: CatalogColumn['type'], nullable = true): CatalogColumn => ({
  name,
  type,
  nullable,
});

export const UNIT_TABLES: CatalogTable[] = [
  {
    name: 'orders',
    primaryKey: ['id'],
    columns: [
      col('id', 'integer', false),
      col('customer_id', 'integer'),
      col('status', 'text'),
      col('qty', 'integer'),
      col('price', 'number'),
      col('paid', 'boolean'),
      col('due', 'date'),
      col('shipped_at', 'datetime'),
      col('ref', 'uuid'),
      col('meta', 'json'),
      col('blob', 'binary'),
    ],
  },
  {
    schema: 'crm',
    name: 'customers',
    primaryKey: ['id'],
    columns: [col('id', 'integer', false), col('name', 'text', false), col('country_code', 'text')],
  },
  {
    name: 'countries',
    primaryKey: ['code'],
    columns: [col('code', 'text', false), col('name', 'text', false)],
  },
  { name: 'logs', primaryKey: [], columns: [col('at', 'datetime'), col('line', 'text')] },
];

export const UNIT_CATALOG = catalogOf(UNIT_TABLES);

export const TWO_HOPS = [
  {
    table: 'customers',
    schema: 'crm',
    as: 'c',
    type: 'left' as const,
    on: { left: 'customer_id', right: 'id' },
  },
  { table: 'countries', as: 'k', type: 'inner' as const, on: { left: 'c.country_code', right: 'code' } },
];
