import type { Knex } from 'knex';

/** A migration written in code (no file loader, so tsx and compiled dist behave the same). */
export interface SchemaMigration {
  name: string;
  up(knex: Knex, schema: string): Promise<void>;
  down(knex: Knex, schema: string): Promise<void>;
}

export function migrationSource(
  migrations: SchemaMigration[],
  schema: string,
): Knex.MigrationSource<SchemaMigration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({
      up: (knex: Knex) => m.up(knex, schema),
      down: (knex: Knex) => m.down(knex, schema),
    }),
  };
}
