import type { SchemaMigration } from '../../migration-source.js';

/**
 * Attachments a saved template owns (`template_id`, ADR 0014): a template keeps its own copies
 * of the files its rows name, so it outlives the base it was saved from. An attachment belongs
 * to exactly one table or one template.
 *
 * `attachment_object_removals` queues the bucket objects of deleted `attachments` rows, however
 * they went (the sweeper, a table or base deleted with its files by cascade): the row and its
 * storage key vanish in the transaction, the object is deleted after it commits. A statement
 * trigger fills the queue, so no deletion path can forget it.
 */
export const workspaceAttachmentCopiesAndRemovals: SchemaMigration = {
  name: '005-attachment-copies-and-removals',
  async up(knex, schema) {
    await knex.raw('ALTER TABLE ??.attachments ALTER COLUMN table_id DROP NOT NULL', [schema]);
    await knex.schema.withSchema(schema).alterTable('attachments', (t) => {
      t.uuid('template_id')
        .nullable()
        .references('id')
        .inTable(`${schema}.base_templates`)
        .onDelete('CASCADE')
        // Deferred: a template's files are copied before the template row naming them is written.
        .deferrable('deferred');
      t.index(['template_id']);
      t.check('num_nonnulls(table_id, template_id) = 1', [], 'attachments_owner');
    });
    await knex.schema.withSchema(schema).createTable('attachment_object_removals', (t) => {
      t.text('storage_key').primary();
      t.uuid('attachment_id').notNullable();
      t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['queued_at']);
    });
    // The function finds the queue next to the table that fired it; no schema name in its text.
    await knex.raw(
      `CREATE FUNCTION ??.queue_attachment_object_removals() RETURNS trigger LANGUAGE plpgsql AS $body$
       BEGIN
         EXECUTE format(
           'INSERT INTO %I.attachment_object_removals (storage_key, attachment_id)
            SELECT storage_key, id FROM gone WHERE storage = %L AND storage_key IS NOT NULL
            ON CONFLICT (storage_key) DO NOTHING',
           TG_TABLE_SCHEMA, 's3');
         RETURN NULL;
       END
       $body$`,
      [schema],
    );
    await knex.raw(
      `CREATE TRIGGER attachments_queue_object_removals AFTER DELETE ON ??.attachments
       REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
       EXECUTE FUNCTION ??.queue_attachment_object_removals()`,
      [schema, schema],
    );
  },
  async down(knex, schema) {
    await knex.raw('DROP TRIGGER IF EXISTS attachments_queue_object_removals ON ??.attachments', [schema]);
    await knex.raw('DROP FUNCTION IF EXISTS ??.queue_attachment_object_removals()', [schema]);
    await knex.schema.withSchema(schema).dropTableIfExists('attachment_object_removals');
    await knex.raw('DELETE FROM ??.attachments WHERE template_id IS NOT NULL', [schema]);
    await knex.schema.withSchema(schema).alterTable('attachments', (t) => {
      t.dropChecks(['attachments_owner']);
      t.dropIndex(['template_id']);
      t.dropColumn('template_id');
    });
    await knex.raw('ALTER TABLE ??.attachments ALTER COLUMN table_id SET NOT NULL', [schema]);
  },
};
