import type { SchemaMigration } from '../../migration-source.js';

/**
 * Base-level roles narrow a member's workspace role on one base (an editor of the workspace who
 * is a viewer on one base). They live next to the membership they narrow, so the request that
 * resolves a resource's workspace reads the narrowing in the same query; removing a member
 * removes their base roles. Directory entries of bases and tables name their base.
 */
export const baseRoles: SchemaMigration = {
  name: '003-base-roles',
  async up(knex, schema) {
    await knex.schema.withSchema(schema).alterTable('resource_directory', (t) => {
      t.uuid('base_id').nullable();
      t.index(['base_id']);
    });
    await knex.schema.withSchema(schema).createTable('base_member_roles', (t) => {
      t.uuid('workspace_id').notNullable();
      t.uuid('base_id').notNullable();
      t.uuid('user_id').notNullable();
      t.text('role').notNullable();
      t.primary(['base_id', 'user_id']);
      t.foreign(['workspace_id', 'user_id'])
        .references(['workspace_id', 'user_id'])
        .inTable(`${schema}.workspace_members`)
        .onDelete('CASCADE');
    });
  },
  async down(knex, schema) {
    await knex.schema.withSchema(schema).dropTableIfExists('base_member_roles');
    await knex.schema.withSchema(schema).alterTable('resource_directory', (t) => {
      t.dropIndex(['base_id']);
      t.dropColumn('base_id');
    });
  },
};
