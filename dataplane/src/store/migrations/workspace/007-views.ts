import type { SchemaMigration } from '../../migration-source.js';

/**
 * Saved views (DESIGN §4): the current definition and access rules of each view, every version
 * it had (a change or a restore is a new version, never an edit of an old one), and the view
 * templates saved from views. A materialized view over an external source names the table in
 * this schema that holds its last refresh (`materialized_table`, ADR 0019).
 */
export const workspaceViews: SchemaMigration = {
  name: '007-views',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('views', (t) => {
      t.uuid('id').primary();
      t.text('name').notNullable();
      t.text('description').nullable();
      /** source, filter, sort, joins, computedColumns, visibleColumns, groupBy, materialize, cacheTtlSeconds. */
      t.jsonb('definition').notNullable();
      /** {read: {minRole, members}, edit: {minRole, members}}: who may see and who may change it. */
      t.jsonb('access').notNullable();
      t.uuid('source_table_id').nullable();
      t.uuid('source_connection_id').nullable();
      /** The bases of the mini-DB tables it reads, as last saved: base roles narrow who may use it. */
      t.specificType('base_ids', 'uuid[]').notNullable().defaultTo('{}');
      t.integer('version').notNullable();
      t.text('materialized_table').nullable();
      t.integer('materialized_version').nullable();
      /** The columns ({name, type}) of the materialized table, in order. */
      t.jsonb('materialized_columns').nullable();
      t.timestamp('materialized_at', { useTz: true }).nullable();
      t.text('materialize_error').nullable();
      t.uuid('created_by').nullable();
      t.uuid('updated_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['source_table_id']);
      t.index(['source_connection_id']);
    });
    await s().createTable('view_versions', (t) => {
      t.uuid('view_id').notNullable().references('id').inTable(`${schema}.views`).onDelete('CASCADE');
      t.integer('version').notNullable();
      t.text('name').notNullable();
      t.text('description').nullable();
      t.jsonb('definition').notNullable();
      t.jsonb('access').notNullable();
      /** The version this one restored, when it is a restore. */
      t.integer('restored_from').nullable();
      t.uuid('actor_id').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['view_id', 'version']);
    });
    await s().createTable('view_templates', (t) => {
      t.uuid('id').primary();
      t.text('name').notNullable();
      t.text('description').nullable();
      /** A view definition without its source: applied to the table a caller names. */
      t.jsonb('definition').notNullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('view_templates');
    await s().dropTableIfExists('view_versions');
    await s().dropTableIfExists('views');
  },
};
