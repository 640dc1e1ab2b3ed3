import type { Knex } from 'knex';
import { linkTableName, userTableName } from './names.js';

/**
 * A link column is a many-to-many junction `l_<column id>` (source row, target row, position),
 * with foreign keys to both user tables: deleting a row unlinks it everywhere.
 */
export async function createLinkTable(
  trx: Knex.Transaction,
  schema: string,
  columnId: string,
  sourceTableId: string,
  targetTableId: string,
): Promise<void> {
  await trx.raw(
    `CREATE TABLE ??.?? (
      source_id uuid NOT NULL REFERENCES ??.?? (id) ON DELETE CASCADE,
      target_id uuid NOT NULL REFERENCES ??.?? (id) ON DELETE CASCADE,
      position integer NOT NULL,
      PRIMARY KEY (source_id, target_id)
    )`,
    [
      schema,
      linkTableName(columnId),
      schema,
      userTableName(sourceTableId),
      schema,
      userTableName(targetTableId),
    ],
  );
  await trx.raw('CREATE INDEX ?? ON ??.?? (target_id)', [
    `${linkTableName(columnId)}_target`,
    schema,
    linkTableName(columnId),
  ]);
}

export async function dropLinkTable(trx: Knex.Transaction, schema: string, columnId: string): Promise<void> {
  await trx.raw('DROP TABLE IF EXISTS ??.??', [schema, linkTableName(columnId)]);
}

/** Sets the links of one row to `targetIds`, in that order. */
export async function replaceLinks(
  trx: Knex.Transaction,
  schema: string,
  columnId: string,
  sourceId: string,
  targetIds: readonly string[],
): Promise<void> {
  const table = () => trx.withSchema(schema).table(linkTableName(columnId));
  await table().where({ source_id: sourceId }).delete();
  if (targetIds.length === 0) return;
  await table().insert(
    targetIds.map((target_id, position) => ({ source_id: sourceId, target_id, position })),
  );
}
