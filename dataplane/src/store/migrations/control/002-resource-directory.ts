import type { SchemaMigration } from '../../migration-source.js';

/**
 * Routes such as `/connections/:id` name no workspace: the id alone must lead to it. Resources
 * kept in workspace schemas register their id here in the transaction that creates them.
 */
export const resourceDirectory: SchemaMigration = {
  name: '002-resource-directory',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('resource_directory', (t) => {
      t.uuid('id').primary();
      t.uuid('workspace_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.workspaces`)
        .onDelete('CASCADE');
      t.text('kind').notNullable();
      t.index(['workspace_id']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('resource_directory');
  },
};
