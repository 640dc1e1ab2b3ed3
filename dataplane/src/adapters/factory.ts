import type { AdapterFactory, ConnectionSettings, IDatabaseAdapter } from './adapter.js';
import { MongoAdapter, type MongoAdapterOptions } from './mongodb/mongodb.adapter.js';
import { MysqlAdapter, type MysqlAdapterOptions } from './mysql/mysql.adapter.js';
import { PostgresAdapter, type PostgresAdapterOptions } from './postgres/postgres.adapter.js';

/** Per-driver options; every field optional (each adapter documents its defaults). */
export interface AdapterFactoryOptions {
  postgres?: PostgresAdapterOptions;
  mysql?: MysqlAdapterOptions;
  mongodb?: MongoAdapterOptions;
}

/** The factory the registry calls: one driver-level adapter per connection, by type. */
export function createAdapterFactory(options: AdapterFactoryOptions = {}): AdapterFactory {
  return (settings: ConnectionSettings): IDatabaseAdapter => {
    switch (settings.type) {
      case 'postgres':
        return new PostgresAdapter(settings, options.postgres);
      case 'mysql':
        return new MysqlAdapter(settings, options.mysql);
      case 'mongodb':
        return new MongoAdapter(settings, options.mongodb);
      default: {
        const unknown: never = settings.type;
        throw new Error(`unknown connection type ${String(unknown)}`);
      }
    }
  };
}
