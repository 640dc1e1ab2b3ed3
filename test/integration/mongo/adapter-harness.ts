import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import type { ConnectionSettings } from '../../../dataplane/src/adapters/adapter.js';
import {
  MongoAdapter,
  type MongoAdapterOptions,
} from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import { freshDatabaseName, parseMongoUrl, startMongoTarget, type MongoTarget } from './mongo-target.js';

/**
 * A seeded shop database for the MongoDB adapter suites, on the in-repo test server or on
 * MONGO_URL: 1000 orders with nested objects, arrays, nulls, missing fields and unicode; 40
 * customers; 5 countries. `orders` are also kept in memory as the reference the suites check
 * the adapter's answers against.
 */
export const NOW = new Date('2024-06-15T12:00:00.000Z');
const HOUR = 3_600_000;

export const COUNTRIES = [
  { _id: 1, name: 'Schweiz' },
  { _id: 2, name: 'Österreich' },
  { _id: 3, name: 'España' },
  { _id: 4, name: '日本' },
  { _id: 5, name: 'Norge' },
];
const NAMES = ['Zoë', '李雷', 'Ümit', "O'Brien", 'a.b*c (x)', 'Ådne', 'Émile', 'Ola', 'Θεά', '$where'];
const CITIES = ['Zürich', 'Bern', 'Genève', 'Wien', 'Madrid', '東京', 'Oslo', 'Basel'];
const STATUSES = ['open', 'paid', 'shipped', 'Open', 'cancelled'];
const NOTES = [
  'price (USD) $5.00 *special*',
  'a+b=c?',
  'line1\nline2',
  '[brackets] {braces}',
  '100% ^caret',
  'plain',
];

function customer(i: number): Document {
  const doc: Document = {
    _id: new ObjectId(i.toString(16).padStart(24, '0')),
    name: `${NAMES[i % NAMES.length]} ${i}`,
  };
  if (i % 8 !== 7) doc.countryId = (i % 6) + 1; // 6 has no country; some have no countryId at all
  if (i % 3 === 0) doc.vip = true;
  return doc;
}

export const CUSTOMERS = Array.from({ length: 40 }, (_, i) => customer(i));

/** Order i: every optional field is sometimes missing, sometimes null. */
function order(i: number): Document {
  const doc: Document = {
    _id: new ObjectId((0x1000000 + i).toString(16).padStart(24, 'f')),
    i,
    qty: (i * 7) % 13,
  };
  if (i % 11 === 0) doc.status = null;
  else if (i % 13 === 0) doc.status = '';
  else if (i % 17 !== 0) doc.status = STATUSES[i % STATUSES.length];
  if (i % 19 !== 0) doc.total = i % 23 === 0 ? null : Math.round(((i * 37) % 1000) * 1.25) / 10;
  doc.paid = i % 4 === 0;
  doc.createdAt = new Date(NOW.getTime() - (i - 100) * 7 * HOUR);
  if (i % 5 === 0) doc.tags = [];
  else if (i % 5 !== 4) doc.tags = ['t' + (i % 3), ...(i % 2 ? ['β'] : [])];
  if (i % 9 !== 0)
    doc.shipping = { city: i % 10 === 3 ? null : CITIES[i % CITIES.length], zip: String(1000 + (i % 90)) };
  if (i % 7 !== 0) doc.note = NOTES[i % NOTES.length];
  if (i % 10 !== 1)
    doc.customerId = i % 15 === 2 ? new ObjectId() : (CUSTOMERS[i % CUSTOMERS.length] as Document)._id;
  return doc;
}

export const ORDERS = Array.from({ length: 1000 }, (_, i) => order(i));

export interface AdapterHarness {
  target: MongoTarget;
  client: MongoClient;
  db: Db;
  settings: ConnectionSettings;
  adapter(overrides?: Partial<ConnectionSettings>, options?: MongoAdapterOptions): MongoAdapter;
  close(): Promise<void>;
}

export function settingsFor(url: string, database: string): ConnectionSettings {
  return {
    id: `mongo-${database}`,
    type: 'mongodb',
    ...parseMongoUrl(url),
    database,
    readOnly: false,
    statementTimeoutMs: 20_000,
    rowCap: 5_000,
    pool: { max: 4, idleMs: 30_000 },
  };
}

export async function startAdapterHarness(): Promise<AdapterHarness> {
  const target = await startMongoTarget();
  const client = await new MongoClient(target.url).connect();
  const db = client.db(freshDatabaseName('lt_adapter'));
  await db.collection('countries').insertMany(COUNTRIES as never[]);
  await db.collection('customers').insertMany(CUSTOMERS);
  await db.collection('orders').insertMany(ORDERS.map((o) => ({ ...o })));
  const settings = settingsFor(target.url, db.databaseName);
  const adapters: MongoAdapter[] = [];
  return {
    target,
    client,
    db,
    settings,
    adapter(overrides = {}, options = {}) {
      const adapter = new MongoAdapter(
        { ...settings, ...overrides },
        { sampleSize: 1000, now: () => NOW, ...options },
      );
      adapters.push(adapter);
      return adapter;
    },
    async close() {
      await Promise.all(adapters.map((a) => a.disconnect()));
      await db.dropDatabase();
      await client.close();
      await target.stop();
    },
  };
}

/** A nested field as the reference sees it (undefined = missing). */
export function get(doc: Document, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Document)[key] : undefined), doc);
}

/** The `i` of every order matching `predicate`, ascending. */
export function expectedIds(predicate: (doc: Document) => boolean): number[] {
  return ORDERS.filter(predicate).map((o) => o.i as number);
}
