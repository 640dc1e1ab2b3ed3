import type { SchemaMigration } from '../../migration-source.js';

/**
 * When each materialized view is next refreshed (ADR 0019). Kept in the control schema so one
 * indexed query per tick finds the due views of every workspace; a replica claims one with
 * `FOR UPDATE SKIP LOCKED` and moves its time ahead in the same statement, so two replicas never
 * refresh the same view for the same turn. The workspace's view row holds the result.
 */
export const viewRefreshSchedule: SchemaMigration = {
  name: '004-view-refresh-schedule',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).createTable('view_refresh_schedule', (t) => {
      t.uuid('view_id').primary();
      t.uuid('workspace_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.workspaces`)
        .onDelete('CASCADE');
      t.integer('refresh_seconds').notNullable();
      t.timestamp('next_refresh_at', { useTz: true }).notNullable();
      t.index(['next_refresh_at']);
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('view_refresh_schedule');
  },
};
