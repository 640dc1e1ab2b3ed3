import type { SchemaMigration } from '../../migration-source.js';

/**
 * `managed_by`: who owns a connection's definition. NULL for connections made through the API;
 * `operator` for those the Kubernetes operator registers from a Connection resource, which the
 * API lists like any other but refuses to change or delete (409 `managed_by_operator`).
 */
export const workspaceConnectionManagedBy: SchemaMigration = {
  name: '006-connection-managed-by',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).alterTable('connections', (t) => {
      t.text('managed_by').nullable();
      t.check("managed_by IN ('operator')", [], 'connections_managed_by');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).alterTable('connections', (t) => {
      t.dropChecks(['connections_managed_by']);
      t.dropColumn('managed_by');
    });
  },
};
