import type { SchemaMigration } from '../../migration-source.js';
import { createAuditLogTable } from '../../audit-log.table.js';

export const workspaceAudit: SchemaMigration = {
  name: '001-audit',
  up: (knex, schema) => createAuditLogTable(knex, schema),
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('audit_logs');
  },
};
