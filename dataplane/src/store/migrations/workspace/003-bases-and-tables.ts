import type { SchemaMigration } from '../../migration-source.js';

/**
 * The internal mini-DB's metadata: bases, tables, columns and each table's schema change log.
 * User data lives in one physical table per user table (`t_<id hex>`, store/user-tables), created
 * by the services in the same transaction as its metadata row. Audit entries gain `parent_id`
 * (the table of a column or row) so a table's history is one indexed read.
 */
export const workspaceBasesAndTables: SchemaMigration = {
  name: '003-bases-and-tables',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('bases', (t) => {
      t.uuid('id').primary();
      t.text('name').notNullable();
      t.text('description').nullable();
      t.text('color').nullable();
      t.text('icon').nullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await s().createTable('tables', (t) => {
      t.uuid('id').primary();
      t.uuid('base_id').notNullable().references('id').inTable(`${schema}.bases`).onDelete('CASCADE');
      t.text('name').notNullable();
      t.text('description').nullable();
      t.integer('position').notNullable();
      t.integer('schema_version').notNullable().defaultTo(1);
      t.jsonb('settings').notNullable().defaultTo('{}');
      t.timestamp('archived_at', { useTz: true }).nullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['base_id', 'position']);
    });
    // Names are unique per base among live tables, whatever their case.
    await knex.raw(
      'CREATE UNIQUE INDEX tables_base_name ON ??.tables (base_id, lower(name)) WHERE archived_at IS NULL',
      [schema],
    );
    await s().createTable('columns', (t) => {
      t.uuid('id').primary();
      t.uuid('table_id').notNullable().references('id').inTable(`${schema}.tables`).onDelete('CASCADE');
      t.text('name').notNullable();
      t.text('type').notNullable();
      t.jsonb('options').notNullable().defaultTo('{}');
      t.boolean('required').notNullable().defaultTo(false);
      t.boolean('is_unique').notNullable().defaultTo(false);
      t.jsonb('default_value').nullable();
      t.jsonb('rules').notNullable().defaultTo('{}');
      t.integer('position').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['table_id', 'position']);
    });
    await knex.raw('CREATE UNIQUE INDEX columns_table_name ON ??.columns (table_id, lower(name))', [schema]);
    await s().createTable('table_changes', (t) => {
      t.uuid('id').primary();
      t.uuid('table_id').notNullable();
      t.integer('version').notNullable();
      t.text('action').notNullable();
      t.jsonb('detail').notNullable();
      t.uuid('actor_id').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      /** column.delete: when the trashed column's data was dropped for good. */
      t.timestamp('purged_at', { useTz: true }).nullable();
      t.unique(['table_id', 'version']);
    });
    // Bases saved as templates: structure (and optionally some rows) as JSON.
    await s().createTable('base_templates', (t) => {
      t.uuid('id').primary();
      t.text('name').notNullable();
      t.text('description').nullable();
      t.jsonb('definition').notNullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await s().createTable('row_locks', (t) => {
      t.uuid('table_id').notNullable();
      t.uuid('row_id').notNullable();
      t.uuid('holder_id').notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.primary(['table_id', 'row_id']);
    });
    await s().alterTable('audit_logs', (t) => {
      t.uuid('parent_id').nullable();
      t.index(['parent_id', 'created_at']);
      t.index(['resource_id', 'created_at']);
    });
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().alterTable('audit_logs', (t) => {
      t.dropIndex(['resource_id', 'created_at']);
      t.dropIndex(['parent_id', 'created_at']);
      t.dropColumn('parent_id');
    });
    await s().dropTableIfExists('row_locks');
    await s().dropTableIfExists('base_templates');
    await s().dropTableIfExists('table_changes');
    await s().dropTableIfExists('columns');
    await s().dropTableIfExists('tables');
    await s().dropTableIfExists('bases');
  },
};
