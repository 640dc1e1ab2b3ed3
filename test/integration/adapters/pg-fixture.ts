import pg from 'pg';
import type { ConnectionSettings } from '../../../dataplane/src/adapters/adapter.js';
import { createTestDatabase } from '../../support/databases.js';

/** A CRM-like schema: FKs (one composite), a view, indexes (one on an expression), nulls, unicode. */
export const PG_SEED = `
  CREATE SCHEMA crm;
  CREATE TYPE crm.stage AS ENUM ('new', 'won', 'lost');
  CREATE TABLE crm.companies (
    id serial PRIMARY KEY,
    name text NOT NULL CONSTRAINT companies_name_key UNIQUE,
    country char(2),
    founded date,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE crm.people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id int REFERENCES crm.companies (id),
    full_name varchar(100) NOT NULL,
    email text,
    score numeric(5, 2),
    active boolean NOT NULL DEFAULT true,
    tags text[],
    profile jsonb,
    external_id uuid,
    stage crm.stage DEFAULT 'new'
  );
  CREATE INDEX people_company_idx ON crm.people (company_id, full_name);
  CREATE INDEX people_email_lower_idx ON crm.people (lower(email));
  CREATE VIEW crm.active_people AS SELECT id, full_name, company_id FROM crm.people WHERE active;
  CREATE TABLE public.pairs (a int, b int, PRIMARY KEY (a, b));
  CREATE TABLE public.pair_refs (
    id int PRIMARY KEY, a int, b int,
    CONSTRAINT pair_refs_pair_fk FOREIGN KEY (a, b) REFERENCES public.pairs (a, b)
  );
  CREATE TABLE public.never_analyzed (x int);

  INSERT INTO crm.companies (name, country, founded) VALUES
    ('Acme', 'US', '1999-12-31'), ('Zoë Ünïcødé GmbH', 'DE', NULL), ('東京商事 🚀', 'JP', '2010-01-01');
  INSERT INTO crm.people (company_id, full_name, email, score, active, tags, profile, external_id, stage) VALUES
    (1, 'Ada Lovelace', 'ada@acme.test', 99.50, true, '{math,poetry}', '{"lang":"en"}', '0190b3a4-0000-7000-8000-000000000001', 'won'),
    (1, 'Bob Null', NULL, NULL, true, NULL, NULL, NULL, NULL),
    (2, 'Jürgen Groß', 'juergen@zoe.test', 50.25, false, '{}', '{"lang":"de"}', NULL, 'lost'),
    (3, '山田 太郎', 'taro@tokyo.test', 75.00, true, '{営業}', '{"lang":"ja"}', NULL, 'new'),
    (NULL, 'Freelancer Ω', 'omega@free.test', 10.00, true, NULL, NULL, NULL, 'new');
  INSERT INTO public.pairs VALUES (1, 1), (1, 2);
  INSERT INTO public.pair_refs VALUES (1, 1, 2);
  CREATE FUNCTION crm.sneaky_write() RETURNS int LANGUAGE sql AS
    $$ INSERT INTO crm.companies (name) VALUES ('sneaky') RETURNING 1 $$;
  ANALYZE crm.companies; ANALYZE crm.people; ANALYZE public.pairs; ANALYZE public.pair_refs;
`;

export interface PgFixture {
  settings: (overrides?: Partial<ConnectionSettings>) => ConnectionSettings;
  admin: pg.Client;
  drop(): Promise<void>;
}

export async function createPgFixture(seed = PG_SEED): Promise<PgFixture> {
  const db = await createTestDatabase();
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(seed);
  const url = new URL(db.url);
  return {
    admin,
    settings: (overrides = {}) => ({
      id: `pg-${url.pathname.slice(1)}`,
      type: 'postgres',
      host: url.hostname,
      port: Number(url.port || 5432),
      database: url.pathname.slice(1),
      username: decodeURIComponent(url.username),
      readOnly: false,
      statementTimeoutMs: 10_000,
      rowCap: 1_000,
      pool: { max: 4, idleMs: 10_000 },
      ...overrides,
    }),
    drop: async () => {
      await admin.end();
      await db.drop();
    },
  };
}
