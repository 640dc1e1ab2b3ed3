import type { SchemaMigration } from '../../migration-source.js';

/** External database connections of a workspace, and the workspace's wrapped data keys. */
export const workspaceConnections: SchemaMigration = {
  name: '002-connections',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    // The workspace's wrapped data keys, one row updated by compare-and-set on `revision`.
    await s().createTable('data_keys', (t) => {
      t.uuid('workspace_id').primary();
      t.integer('revision').notNullable();
      t.jsonb('keys').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await s().createTable('connections', (t) => {
      t.uuid('id').primary();
      t.text('name').notNullable().unique();
      t.text('type').notNullable();
      t.text('host').notNullable();
      t.integer('port').notNullable();
      t.text('database').notNullable();
      t.text('username').nullable();
      /** AES-256-GCM envelope of {password?, uri?}; never returned by the API. */
      t.text('secret').nullable();
      t.boolean('read_only').notNullable().defaultTo(false);
      t.boolean('allow_raw_queries').notNullable().defaultTo(false);
      t.jsonb('options').notNullable().defaultTo('{}');
      t.text('status').notNullable().defaultTo('unknown');
      t.text('last_error').nullable();
      t.timestamp('last_checked_at', { useTz: true }).nullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('connections');
    await knex.schema.withSchema(schema).dropTableIfExists('data_keys');
  },
};
