import type { Knex } from 'knex';

/**
 * The audit table has one shape wherever it lives: the control schema (workspace and membership
 * actions) and every workspace schema (data and schema changes). In tenant mode both are the same
 * schema, hence `IF NOT EXISTS`.
 */
export async function createAuditLogTable(knex: Knex, schema: string): Promise<void> {
  if (await knex.schema.withSchema(schema).hasTable('audit_logs')) return;
  await knex.schema.withSchema(schema).createTable('audit_logs', (t) => {
    t.uuid('id').primary();
    t.uuid('workspace_id').nullable();
    t.uuid('actor_id').nullable();
    t.text('action').notNullable();
    t.text('resource_type').notNullable();
    t.text('resource_id').nullable();
    t.jsonb('before').nullable();
    t.jsonb('after').nullable();
    t.text('request_id').nullable();
    t.text('ip').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['workspace_id', 'created_at']);
    t.index(['resource_type', 'resource_id']);
  });
}
