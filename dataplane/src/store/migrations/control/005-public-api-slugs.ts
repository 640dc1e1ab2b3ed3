import type { SchemaMigration } from '../../migration-source.js';

/**
 * Public API slugs are global (`/public/views/:slug/data` names no workspace), so they live in
 * one directory beside the workspaces: each slug leads to its workspace and view API. A view
 * API has one current slug (`redirect_until` NULL); a renamed one keeps its old slugs for a
 * while, each answering a redirect to the current one until `redirect_until`, then nothing.
 */
export const publicApiSlugs: SchemaMigration = {
  name: '005-public-api-slugs',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('public_api_slugs', (t) => {
      t.text('slug').primary();
      t.uuid('workspace_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.workspaces`)
        .onDelete('CASCADE');
      t.uuid('view_api_id').notNullable();
      t.timestamp('redirect_until', { useTz: true }).nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['view_api_id']);
      t.index(['workspace_id']);
    });
    await knex.raw(
      'CREATE UNIQUE INDEX public_api_slugs_current ON ??.public_api_slugs (view_api_id) WHERE redirect_until IS NULL',
      [schema],
    );
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('public_api_slugs');
  },
};
