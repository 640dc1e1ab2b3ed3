import { catalogOf, type CatalogColumn, type CatalogTable } from '../../../../dataplane/src/query/catalog.js';
import type { LogicalQuery } from '../../../../dataplane/src/query/lqp.js';

/** A small shop catalog, as MongoDB discovery would describe it, for the pipeline golden tests. */
const col = (name: string, type: CatalogColumn['type'], nativeType: string): CatalogColumn => ({
  name,
  type,
  nullable: name !== '_id',
  nativeType,
});

const table = (name: string, columns: CatalogColumn[]): CatalogTable => ({
  schema: 'shop',
  name,
  columns,
  primaryKey: ['_id'],
});

export const ORDERS = table('orders', [
  col('_id', 'text', 'objectId'),
  col('status', 'text', 'string'),
  col('total', 'number', 'double'),
  col('qty', 'integer', 'int'),
  col('paid', 'boolean', 'bool'),
  col('createdAt', 'datetime', 'date'),
  col('due', 'date', 'date'),
  col('tags', 'json', 'array'),
  col('customerId', 'text', 'objectId'),
  col('shipping.city', 'text', 'string'),
  col('shipping.zip', 'text', 'string'),
]);

export const CUSTOMERS = table('customers', [
  col('_id', 'text', 'objectId'),
  col('name', 'text', 'string'),
  col('countryId', 'integer', 'int'),
]);

export const COUNTRIES = table('countries', [col('_id', 'integer', 'int'), col('name', 'text', 'string')]);

export const SHOP = catalogOf([ORDERS, CUSTOMERS, COUNTRIES]);

export const NOW = new Date('2024-05-15T12:30:00.000Z');

export function query(extra: Partial<LogicalQuery> = {}): LogicalQuery {
  return { source: { table: 'orders', schema: 'shop' }, pagination: { mode: 'keyset', limit: 10 }, ...extra };
}
