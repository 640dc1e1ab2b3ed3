import type { Db, MongoClient } from 'mongodb';
import type { DiscoveredIndex, DiscoveredSchema, DiscoveredTable } from '../adapter.js';
import { analyzeDocuments, type StructureOptions } from './document-structure.js';

/**
 * Schema discovery for MongoDB: the databases the user can see, and the collections and views of
 * the connection's database, each described by sampling (`$sample`) its documents. `_id` is the
 * primary key (the keyset tiebreaker).
 */
export interface DiscoveryOptions {
  /** Documents sampled per collection. */
  sampleSize: number;
  /** At most this many collections are described (by name order). */
  maxCollections: number;
  /** Server-side limit per command (0 = none). */
  maxTimeMS: number;
  structure?: StructureOptions;
}

const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);
const CONCURRENCY = 4;

async function databaseNames(client: MongoClient, own: string, maxTimeMS?: number): Promise<string[]> {
  try {
    const { databases } = await client
      .db('admin')
      .admin()
      .listDatabases({ nameOnly: true, authorizedDatabases: true, maxTimeMS });
    const names = databases.map((d) => d.name).filter((n) => !SYSTEM_DATABASES.has(n));
    return [...new Set([own, ...names])].sort();
  } catch {
    return [own]; // a user without listDatabases still sees its own database
  }
}

async function indexesOf(db: Db, name: string, maxTimeMS?: number): Promise<DiscoveredIndex[]> {
  const specs = await db.collection(name).listIndexes({ maxTimeMS }).toArray();
  return specs.map((s) => ({
    name: String(s.name),
    columns: Object.keys(s.key ?? {}),
    unique: s.unique === true || s.name === '_id_',
  }));
}

async function describe(
  db: Db,
  name: string,
  kind: 'collection' | 'view',
  opts: DiscoveryOptions,
): Promise<DiscoveredTable> {
  const maxTimeMS = opts.maxTimeMS || undefined;
  const collection = db.collection(name);
  const sample = await collection
    .aggregate([{ $sample: { size: opts.sampleSize } }], { maxTimeMS, promoteValues: false })
    .toArray();
  const isCollection = kind === 'collection';
  return {
    schema: db.databaseName,
    name,
    kind,
    rowEstimate: isCollection ? await collection.estimatedDocumentCount({ maxTimeMS }) : null,
    columns: analyzeDocuments(sample, opts.structure),
    primaryKey: ['_id'],
    foreignKeys: [],
    indexes: isCollection ? await indexesOf(db, name, maxTimeMS) : [],
  };
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function discoverMongo(
  client: MongoClient,
  database: string,
  opts: DiscoveryOptions,
): Promise<DiscoveredSchema> {
  const maxTimeMS = opts.maxTimeMS || undefined;
  const db = client.db(database);
  const infos = await db
    .listCollections({}, { nameOnly: false, authorizedCollections: true, maxTimeMS })
    .toArray();
  const collections = infos
    .filter(
      (c) =>
        !c.name.startsWith('system.') &&
        (c.type === 'collection' || c.type === 'view' || c.type === undefined),
    )
    .map((c) => ({ name: c.name, kind: c.type === 'view' ? ('view' as const) : ('collection' as const) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, opts.maxCollections);
  const [schemas, tables] = await Promise.all([
    databaseNames(client, database, maxTimeMS),
    mapLimited(collections, CONCURRENCY, (c) => describe(db, c.name, c.kind, opts)),
  ]);
  return { schemas, tables };
}
