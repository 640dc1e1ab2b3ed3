import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import type { ViewApiRow } from './view-api.js';

/** The API of a view, 404 when the view has none; `lock` holds it for the transaction's change. */
export async function viewApiOfView(
  knex: Knex,
  schema: string,
  viewId: string,
  lock = false,
): Promise<ViewApiRow> {
  const query = knex.withSchema(schema).table('view_apis').where({ view_id: viewId });
  const row = (await (lock ? query.forUpdate() : query).first()) as ViewApiRow | undefined;
  if (!row) throw new NotFoundError('View API');
  return row;
}
