import { catalogOf, type CatalogTable } from '../../../dataplane/src/query/catalog.js';

/**
 * The seeded data set of the SQL compiler tests, identical in PostgreSQL and MariaDB: orders →
 * customers → countries (two hops, dangling references, NULLs), unicode and hostile text,
 * duplicate sort keys, instants around "now" (never within 6 h of a whole-day boundary, so
 * relative-date filters are stable while a run lasts), and a table with awkward identifiers.
 */
export type Row = Record<string, string | number | boolean | null>;

const col = (name: string, type: CatalogTable['columns'][number]['type'], nullable = true) => ({
  name,
  type,
  nullable,
});

export const TABLES: CatalogTable[] = [
  {
    name: 'countries',
    primaryKey: ['id'],
    columns: [col('id', 'integer', false), col('code', 'text', false), col('name', 'text', false)],
  },
  {
    name: 'customers',
    primaryKey: ['id'],
    columns: [
      col('id', 'integer', false),
      col('name', 'text', false),
      col('email', 'text'),
      col('country_id', 'integer'),
      col('vip', 'boolean'),
      col('created_at', 'datetime'),
    ],
  },
  {
    name: 'orders',
    primaryKey: ['id'],
    columns: [
      col('id', 'integer', false),
      col('customer_id', 'integer'),
      col('status', 'text'),
      col('qty', 'integer'),
      col('price', 'number'),
      col('weight', 'number'),
      col('due', 'date'),
      col('shipped_at', 'datetime'),
      col('note', 'text'),
      col('ref', 'uuid'),
      col('paid', 'boolean'),
    ],
  },
  {
    name: 'odd "table"',
    primaryKey: ['id'],
    columns: [
      col('id', 'integer', false),
      col('we"ird', 'text'),
      col('back`tick', 'text'),
      col('dot.ted', 'integer'),
      col('select', 'text'),
      col('x as y', 'text'),
    ],
  },
  {
    name: 'events',
    primaryKey: ['k1', 'k2'],
    columns: [col('k1', 'text', false), col('k2', 'integer', false), col('v', 'integer')],
  },
  { name: 'tokens', primaryKey: ['id'], columns: [col('id', 'binary', false), col('label', 'text')] },
];
export const CATALOG = catalogOf(TABLES);

/** mulberry32: a small deterministic PRNG, so both engines and the oracle see the same rows. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const STATUSES = ['open', 'closed', 'Open', 'OPEN ', 'pending', 'on hold', '', 'café', 'CAFÉ', null];
export const NOTES = [
  '50% off',
  'under_score',
  'back\\slash',
  "quote's",
  'dq"quote',
  'emoji 😀 inside',
  'ümlaut Über',
  'straße',
  '日本語テキスト',
  '!bang!',
  '; DROP TABLE orders; --',
  "' OR '1'='1",
  '/* comment */',
  'Ελληνικά',
  '',
  null,
];
const FIRST = [
  'Anna',
  'anna',
  'ANNA',
  'Zoë',
  'Łukasz',
  "O'Brien",
  'Ævar',
  'björn',
  'Émile',
  'jürgen',
  'Bob; DROP TABLE customers; --',
  'Robert\\',
  '名前',
  '😀 Smiley',
  'Zed',
];
const COUNTRIES: [number, string, string][] = [
  [1, 'AT', 'Österreich'],
  [2, 'ES', 'España'],
  [3, 'GR', 'Ελλάδα'],
  [4, 'JP', '日本'],
  [5, 'CI', 'Côte d’Ivoire'],
  [6, 'DE', 'Deutschland'],
  [7, 'US', 'United States'],
  [8, 'FR', 'France'],
  [9, 'BR', 'Brasil'],
  [10, 'IS', 'Ísland'],
  [11, 'ZA', 'South Africa'],
  [12, 'XX', '🏴 Nowhere'],
];
const WEIGHTS = [0.1, 0.25, 1e-7, 123.456, 3.14159, -2.5, 1000000.5, 0];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** An instant as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds; the oracle compares these as text). */
export function isoMicros(ms: number, micros: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_m, milli: string) => `.${milli}${pad(micros, 3)}Z`);
}
const day = 86_400_000;
export const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface Seed {
  now: number;
  countries: Row[];
  customers: Row[];
  orders: Row[];
  odd: Row[];
  events: Row[];
  /** Binary primary keys, as lower-case hex (byte order = text order). */
  tokens: Row[];
}

export function generateSeed(now = Date.now()): Seed {
  const rnd = prng(20240601);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const maybe = <T>(p: number, value: () => T): T | null => (rnd() < p ? null : value());
  const today = Date.parse(`${dateOnly(now)}T00:00:00Z`);
  const countries = COUNTRIES.map(([id, code, name]) => ({ id, code, name }));
  const customers = Array.from({ length: 150 }, (_, i) => ({
    id: i + 1,
    name: pick(FIRST),
    email: maybe(0.2, () => (rnd() < 0.1 ? '' : `user${i}@example.com`)),
    country_id: maybe(0.1, () => (rnd() < 0.05 ? 99 : 1 + Math.floor(rnd() * 12))),
    vip: maybe(0.3, () => rnd() < 0.5),
    created_at: maybe(0.1, () =>
      isoMicros(
        Date.UTC(2023, 0, 1) + Math.floor(rnd() * 365) * day + Math.floor(rnd() * day),
        Math.floor(rnd() * 1000),
      ),
    ),
  }));
  let previousShipped: string | null = null;
  const orders = Array.from({ length: 2000 }, (_, i) => {
    const shipped: string | null =
      rnd() < 0.1 && previousShipped
        ? previousShipped
        : maybe(0.15, () => {
            const offset = Math.floor(rnd() * 61) - 30;
            const hours = 6 * 3_600_000 + Math.floor(rnd() * 12 * 3_600_000);
            return isoMicros(now + offset * day + hours, Math.floor(rnd() * 1000));
          });
    previousShipped = shipped;
    return {
      id: i + 1,
      customer_id: maybe(0.05, () => (rnd() < 0.03 ? 999 : 1 + Math.floor(rnd() * 150))),
      status: pick(STATUSES),
      qty: maybe(0.1, () => Math.floor(rnd() * 106) - 5),
      price: maybe(0.1, () => Math.round((rnd() * 2000 - 100) * 100) / 100),
      weight: maybe(0.15, () => pick(WEIGHTS)),
      due: maybe(0.15, () =>
        dateOnly(
          rnd() < 0.4
            ? today + (Math.floor(rnd() * 61) - 30) * day
            : Date.UTC(2023, 0, 1) + Math.floor(rnd() * 500) * day,
        ),
      ),
      shipped_at: shipped,
      note: pick(NOTES),
      ref: maybe(0.1, () => uuidFrom(rnd)),
      paid: maybe(0.2, () => rnd() < 0.5),
    };
  });
  const odd = Array.from({ length: 5 }, (_, i) => ({
    id: i + 1,
    'we"ird': `w${i}"`,
    'back`tick': `b${i}\``,
    'dot.ted': i * 10,
    select: i % 2 ? 'odd' : 'even',
    'x as y': `x${i}`,
  }));
  const keys = ['a', 'B', 'c', 'É', 'z', '日', '😀'];
  const events = keys.flatMap((k1, i) =>
    Array.from({ length: 30 }, (_, k2) => ({ k1, k2, v: (i * 7 + k2) % 11 })),
  );
  const tokens = Array.from({ length: 40 }, (_, i) => ({
    id:
      i === 0
        ? '00'
        : i === 1
          ? 'ffff'
          : Array.from({ length: 1 + (i % 5) }, () =>
              Math.floor(rnd() * 256)
                .toString(16)
                .padStart(2, '0'),
            ).join(''),
    label: i % 3 === 0 ? null : pick(['x', 'y']),
  }));
  const uniqueTokens = tokens.filter((t, i) => tokens.findIndex((u) => u.id === t.id) === i);
  return { now, countries, customers, orders, odd, events, tokens: uniqueTokens };
}

function uuidFrom(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
