import type { SchemaMigration } from '../../migration-source.js';

/**
 * Views published as public APIs (ADR 0020). `view_apis`: one per view, its current slug (the
 * control schema's `public_api_slugs` is the global directory of slugs), auth mode, cache,
 * rate limit and CORS settings, `enabled`, and a `version` bumped by every change (part of the
 * response cache key). `api_keys`: keys of an API; only the SHA-256 of the secret is kept, the
 * prefix is shown in lists. `view_api_usage`: requests, errors, a latency histogram and cache
 * outcomes per API, caller (a key id or `anonymous`) and UTC day, added to by every replica.
 *
 * `view_id` references `views` (007): deleting a view withdraws its API in the same
 * transaction (ViewsService's deletion hook releases the slugs too), and the key makes a publish
 * racing a delete fail rather than outlive its view.
 */
export const workspaceViewApis: SchemaMigration = {
  name: '008-view-apis',
  async up(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().createTable('view_apis', (t) => {
      t.uuid('id').primary();
      t.uuid('view_id')
        .notNullable()
        .unique()
        .references('id')
        .inTable(`${schema}.views`)
        .onDelete('CASCADE');
      t.text('slug').notNullable().unique();
      t.text('auth').notNullable();
      t.integer('cache_ttl_seconds').notNullable();
      t.integer('stale_seconds').notNullable();
      t.integer('requests_per_minute').notNullable();
      t.integer('requests_per_minute_per_ip').notNullable();
      t.specificType('cors_origins', 'text[]').notNullable().defaultTo('{}');
      t.boolean('enabled').notNullable().defaultTo(true);
      t.integer('version').notNullable().defaultTo(1);
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check("auth IN ('public', 'apiKey')", [], 'view_apis_auth');
    });
    await s().createTable('api_keys', (t) => {
      t.uuid('id').primary();
      t.uuid('view_api_id').notNullable().references('id').inTable(`${schema}.view_apis`).onDelete('CASCADE');
      t.text('name').notNullable();
      t.text('prefix').notNullable().unique();
      t.text('secret_hash').notNullable();
      t.specificType('scopes', 'text[]').notNullable();
      t.timestamp('expires_at', { useTz: true }).nullable();
      t.timestamp('revoked_at', { useTz: true }).nullable();
      t.timestamp('last_used_at', { useTz: true }).nullable();
      t.uuid('created_by').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['view_api_id', 'id']);
    });
    await s().createTable('view_api_usage', (t) => {
      t.uuid('view_api_id').notNullable().references('id').inTable(`${schema}.view_apis`).onDelete('CASCADE');
      t.text('caller').notNullable();
      t.date('day').notNullable();
      t.bigInteger('requests').notNullable().defaultTo(0);
      t.bigInteger('errors').notNullable().defaultTo(0);
      t.double('latency_ms_sum').notNullable().defaultTo(0);
      t.specificType('latency_counts', 'bigint[]').notNullable();
      t.bigInteger('cache_hits').notNullable().defaultTo(0);
      t.bigInteger('cache_misses').notNullable().defaultTo(0);
      t.bigInteger('cache_stale').notNullable().defaultTo(0);
      t.primary(['view_api_id', 'caller', 'day']);
    });
  },
  async down(knex, schema) {
    const s = () => knex.schema.withSchema(schema);
    await s().dropTableIfExists('view_api_usage');
    await s().dropTableIfExists('api_keys');
    await s().dropTableIfExists('view_apis');
  },
};
