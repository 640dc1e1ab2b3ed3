import type { SchemaMigration } from '../../migration-source.js';

/**
 * Files uploaded for attachment cells. `attachments` describes each one (a cell stores copies of
 * its id, name, size and type); the bytes live in `attachment_chunks` (storage 'postgres', 256 KiB
 * a row, so a download reads one chunk at a time) or in an S3-compatible bucket under
 * `storage_key` (storage 's3'). Deleting a table deletes its attachments and their chunks.
 */
export const workspaceAttachments: SchemaMigration = {
  name: '004-attachments',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('attachments', (t) => {
      t.uuid('id').primary();
      t.uuid('table_id').notNullable().references('id').inTable(`${schema}.tables`).onDelete('CASCADE');
      /** The column it was uploaded for, when the client said; cells of any column may use it. */
      t.uuid('column_id').nullable();
      t.text('name').notNullable();
      t.text('mime_type').notNullable();
      t.bigInteger('size').notNullable();
      t.text('sha256').notNullable();
      t.text('storage').notNullable();
      t.text('storage_key').nullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['table_id']);
      t.check("storage IN ('postgres', 's3')", [], 'attachments_storage');
      t.check('size >= 0', [], 'attachments_size');
    });
    await s().createTable('attachment_chunks', (t) => {
      // Deferred: a store writes the chunks first, the attachment row follows in the transaction.
      t.uuid('attachment_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.attachments`)
        .onDelete('CASCADE')
        .deferrable('deferred');
      t.integer('seq').notNullable();
      t.binary('data').notNullable();
      t.primary(['attachment_id', 'seq']);
    });
    // Most files (images, PDFs, archives) are compressed already: store chunks as they are.
    await knex.raw('ALTER TABLE ??.attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL', [schema]);
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('attachment_chunks');
    await knex.schema.withSchema(schema).dropTableIfExists('attachments');
  },
};
