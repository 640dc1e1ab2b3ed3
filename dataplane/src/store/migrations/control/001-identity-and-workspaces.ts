import type { SchemaMigration } from '../../migration-source.js';
import { createAuditLogTable } from '../../audit-log.table.js';

export const identityAndWorkspaces: SchemaMigration = {
  name: '001-identity-and-workspaces',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    const now = knex.fn.now();
    await s().createTable('users', (t) => {
      t.uuid('id').primary();
      t.text('email').notNullable().unique(); // stored lower-cased
      t.text('name').notNullable();
      t.text('password_hash').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(now);
    });
    await s().createTable('sessions', (t) => {
      t.uuid('id').primary();
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}.users`).onDelete('CASCADE');
      t.text('ip').nullable();
      t.text('user_agent').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('revoked_at', { useTz: true }).nullable();
      t.text('revoked_reason').nullable();
      t.index(['user_id']);
    });
    await s().createTable('refresh_tokens', (t) => {
      t.uuid('id').primary();
      t.uuid('session_id').notNullable().references('id').inTable(`${schema}.sessions`).onDelete('CASCADE');
      t.uuid('user_id').notNullable();
      t.text('token_hash').notNullable().unique();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('used_at', { useTz: true }).nullable();
      t.index(['session_id']);
    });
    // Access tokens denied before they expire (logout, revoked sessions); lets the in-memory
    // deny list survive a restart.
    await s().createTable('denied_tokens', (t) => {
      t.text('key').primary();
      t.timestamp('expires_at', { useTz: true }).notNullable().index();
    });
    await s().createTable('workspaces', (t) => {
      t.uuid('id').primary();
      t.text('slug').notNullable().unique();
      t.text('name').notNullable();
      t.text('description').notNullable().defaultTo('');
      t.text('schema_name').notNullable().unique();
      t.jsonb('settings').notNullable().defaultTo('{}');
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(now);
    });
    await s().createTable('workspace_members', (t) => {
      t.uuid('workspace_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.workspaces`)
        .onDelete('CASCADE');
      t.uuid('user_id').notNullable().references('id').inTable(`${schema}.users`).onDelete('CASCADE');
      t.text('role').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(now);
      t.primary(['workspace_id', 'user_id']);
      t.index(['user_id']);
    });
    await knex.raw(
      `ALTER TABLE ??.workspace_members ADD CONSTRAINT workspace_members_role_check CHECK (role IN ('owner','admin','editor','viewer'))`,
      [schema],
    );
    await s().createTable('invitations', (t) => {
      t.uuid('id').primary();
      t.uuid('workspace_id')
        .notNullable()
        .references('id')
        .inTable(`${schema}.workspaces`)
        .onDelete('CASCADE');
      t.text('email').notNullable();
      t.text('role').notNullable();
      t.text('token_hash').notNullable().unique();
      t.uuid('invited_by').nullable();
      t.text('status').notNullable().defaultTo('pending');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(now);
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('responded_at', { useTz: true }).nullable();
      t.index(['workspace_id', 'status']);
    });
    await createAuditLogTable(knex, schema);
  },
  async down(knex, schema) {
    for (const table of [
      'audit_logs',
      'invitations',
      'workspace_members',
      'workspaces',
      'denied_tokens',
      'refresh_tokens',
      'sessions',
      'users',
    ]) {
      await knex.schema.withSchema(schema).dropTableIfExists(table);
    }
  },
};
