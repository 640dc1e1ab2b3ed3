import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import {
  SECRET_SALARY,
  SECRET_SSN,
  callPublic,
  namesOf,
  peopleView,
  publish,
  showColumns,
  uniqueSlug,
} from './public-api-fixture.js';

const filter = (tree: unknown) => ({ filter: JSON.stringify(tree) });

/** Whatever is asked, no answer carries a hidden column: not its name, not its values. */
function expectNoHiddenData(text: string): void {
  expect(text).to.not.include(String(SECRET_SALARY));
  expect(text).to.not.include(SECRET_SSN);
  expect(text).to.not.include('Salary');
  expect(text).to.not.include('Ssn');
}

describe('GET /public/views/:slug/data', () => {
  let db: MiniDb;
  let viewId: string;
  let slug: string;
  before(async () => {
    db = await startMiniDb('public');
    ({ viewId } = await peopleView(db));
    slug = uniqueSlug('people');
    await publish(db, viewId, { slug, auth: 'public' });
  });
  after(() => db.stop());

  it('a public API answers without any credentials, with the exposed fields only', async () => {
    const res = await callPublic(db.app, slug, { query: { sort: 'Name' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(res.body.nextCursor).to.equal(null);
    expect(res.body.data.map((r: { fields: unknown }) => r.fields)).to.deep.equal([
      { Name: 'Ada', City: 'London', Age: 36 },
      { Name: 'Grace', City: 'New York', Age: 85 },
      { Name: 'Linus', City: 'Helsinki', Age: 54 },
    ]);
    expect(res.body.data[0].id).to.be.a('string');
    expectNoHiddenData(JSON.stringify(res.body));
  });

  it('filters, sorts and selects fields on exposed fields', async () => {
    const older = await callPublic(db.app, slug, {
      query: { ...filter({ field: 'Age', op: 'gt', value: 40 }), sort: '-Age', fields: 'Name,Age' },
    });
    expect(older.status, JSON.stringify(older.body)).to.equal(200);
    expect(older.body.data.map((r: { fields: unknown }) => r.fields)).to.deep.equal([
      { Name: 'Grace', Age: 85 },
      { Name: 'Linus', Age: 54 },
    ]);
    const nested = await callPublic(db.app, slug, {
      query: filter({
        or: [{ field: 'City', op: 'eq', value: 'London' }, { not: { field: 'Age', op: 'lt', value: 60 } }],
      }),
    });
    expect(namesOf(nested).sort()).to.deep.equal(['Ada', 'Grace']);
  });

  it('hidden columns answer exactly as unknown ones, in filters (at any depth), sorts and fields', async () => {
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      [
        'filter',
        filter({ field: 'Salary', op: 'gt', value: 0 }),
        filter({ field: 'Nope', op: 'gt', value: 0 }),
      ],
      [
        'nested filter',
        filter({ and: [{ field: 'Age', op: 'gt', value: 1 }, { not: { field: 'Ssn', op: 'isNotEmpty' } }] }),
        filter({ and: [{ field: 'Age', op: 'gt', value: 1 }, { not: { field: 'Nope', op: 'isNotEmpty' } }] }),
      ],
      ['sort', { sort: '-Salary' }, { sort: '-Nope' }],
      ['fields', { fields: 'Name,Ssn' }, { fields: 'Name,Nope' }],
    ];
    for (const [what, hidden, unknown] of cases) {
      const a = await callPublic(db.app, slug, { query: hidden });
      const b = await callPublic(db.app, slug, { query: unknown });
      expect([a.status, a.body.code], what).to.deep.equal([422, 'validation_failed']);
      const anonymised = JSON.stringify(a.body).replaceAll('Salary', 'Nope').replaceAll('Ssn', 'Nope');
      expect(anonymised, what).to.equal(JSON.stringify(b.body));
      expect(JSON.stringify(a.body)).to.not.include(String(SECRET_SALARY));
    }
  });

  it('a column the view stops showing is gone from the very next answer', async () => {
    const { viewId: narrowing } = await peopleView(db);
    const narrowSlug = uniqueSlug('narrowing');
    await publish(db, narrowing, { slug: narrowSlug, auth: 'public' });
    expect(Object.keys((await callPublic(db.app, narrowSlug)).body.data[0].fields)).to.deep.equal([
      'Name',
      'City',
      'Age',
    ]);
    await showColumns(db, narrowing, ['Name']);
    const narrowed = await callPublic(db.app, narrowSlug);
    expect(Object.keys(narrowed.body.data[0].fields)).to.deep.equal(['Name']);
    expect((await callPublic(db.app, narrowSlug, { query: { sort: 'Age' } })).status).to.equal(422);
  });

  it('pages by cursor and caps the limit', async () => {
    const first = await callPublic(db.app, slug, { query: { sort: 'Name', limit: '2' } });
    expect(namesOf(first)).to.deep.equal(['Ada', 'Grace']);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await callPublic(db.app, slug, {
      query: { sort: 'Name', limit: '2', cursor: first.body.nextCursor },
    });
    expect(namesOf(second)).to.deep.equal(['Linus']);
    expect(second.body.nextCursor).to.equal(null);
    for (const limit of ['0', '1001', 'many']) {
      const res = await callPublic(db.app, slug, { query: { limit } });
      expect([res.status, res.body.code], limit).to.deep.equal([422, 'validation_failed']);
    }
    const forged = await callPublic(db.app, slug, { query: { cursor: 'bm90IGEgY3Vyc29y' } });
    expect([forged.status, forged.body.code]).to.deep.equal([400, 'invalid_cursor']);
  });

  it('refuses malformed queries with 422, never a 500', async () => {
    const malformed: Record<string, string>[] = [
      { filter: '{not json' },
      filter([1, 2]),
      filter({ field: 'Age', op: 'resembles', value: 1 }),
      filter({ and: [] }),
      filter({ field: 'Age', op: 'gt', value: 1, extra: true }),
      filter({ field: 'Age', op: 'gt', value: 'old' }),
      { unknown: 'x' },
      { fields: '' },
    ];
    for (const query of malformed) {
      const res = await callPublic(db.app, slug, { query });
      expect(res.status, JSON.stringify(query)).to.equal(422);
      expect(res.body.code).to.equal('validation_failed');
    }
    const deep = { field: 'Age', op: 'gt', value: 1 } as Record<string, unknown>;
    let tree: Record<string, unknown> = deep;
    for (let i = 0; i < 12; i++) tree = { not: tree };
    expect((await callPublic(db.app, slug, { query: filter(tree) })).status).to.equal(422);
  });

  it('answers CSV for Accept: text/csv (RFC 4180, formulas neutralised, hidden columns absent)', async () => {
    const { table, viewId: tricky } = await peopleView(db);
    const rows = [
      { Name: '=HYPERLINK("http://evil")', City: 'a,b', Age: -5 },
      { Name: 'say "hi"', City: 'two\nlines', Age: 1 },
      { Name: '@SUM(A1)', City: '+1', Age: 2 },
    ];
    for (const fields of rows) await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows`, { fields });
    const trickySlug = uniqueSlug('csv');
    await publish(db, tricky, { slug: trickySlug, auth: 'public' });
    const res = await callPublic(db.app, trickySlug, {
      query: { ...filter({ field: 'Age', op: 'lt', value: 10 }), sort: 'Age' },
      headers: { accept: 'text/csv' },
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/csv; charset=utf-8; header=present');
    expect(res.body).to.equal(
      [
        'Name,City,Age',
        `"'=HYPERLINK(""http://evil"")","a,b",-5`,
        `"say ""hi""","two\nlines",1`,
        `'@SUM(A1),'+1,2`,
        '',
      ].join('\r\n'),
    );
    const all = await callPublic(db.app, trickySlug, { headers: { accept: 'text/csv' } });
    expectNoHiddenData(String(all.body));
    const paged = await callPublic(db.app, trickySlug, {
      query: { limit: '1', sort: 'Age' },
      headers: { accept: 'text/csv' },
    });
    expect(paged.headers.get('link')).to.match(
      /^<http:\/\/127\.0\.0\.1:\d+\/public\/views\/.+\/data\?limit=1&sort=Age&cursor=.+>; rel="next"$/,
    );
  });

  it('prefers what Accept asks for, and answers 406 for a type it cannot make', async () => {
    const json = await callPublic(db.app, slug, { headers: { accept: 'text/csv;q=0.5, application/json' } });
    expect(json.headers.get('content-type')).to.match(/^application\/json/);
    const csv = await callPublic(db.app, slug, { headers: { accept: 'application/json;q=0.1, text/csv' } });
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    const any = await callPublic(db.app, slug, { headers: { accept: '*/*' } });
    expect(any.headers.get('content-type')).to.match(/^application\/json/);
    const refused = await callPublic(db.app, slug, { headers: { accept: 'application/xml' } });
    expect([refused.status, refused.body.code]).to.deep.equal([406, 'not_acceptable']);
  });

  it('revalidates with ETag: a matching If-None-Match answers 304, a change a new ETag', async () => {
    const { table, viewId: tagged } = await peopleView(db);
    const tagSlug = uniqueSlug('etag');
    await publish(db, tagged, { slug: tagSlug, auth: 'public' });
    const first = await callPublic(db.app, tagSlug);
    const etag = first.headers.get('etag') as string;
    expect(etag).to.match(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get('cache-control')).to.equal('public, no-cache');
    const same = await callPublic(db.app, tagSlug, { headers: { 'if-none-match': etag } });
    expect(same.status).to.equal(304);
    expect(same.body).to.equal('');
    const csvTag = (await callPublic(db.app, tagSlug, { headers: { accept: 'text/csv' } })).headers.get(
      'etag',
    );
    expect(csvTag).to.not.equal(etag);
    await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows`, { fields: { Name: 'Edsger' } });
    const changed = await callPublic(db.app, tagSlug, { headers: { 'if-none-match': etag } });
    expect(changed.status).to.equal(200);
    expect(changed.headers.get('etag')).to.not.equal(etag);
  });

  it('answers 404 for a slug nobody holds, 405 for other methods, and HEAD like GET', async () => {
    const unknown = await callPublic(db.app, 'no-such-api-anywhere');
    expect([unknown.status, unknown.body.code]).to.deep.equal([404, 'not_found']);
    const post = await callPublic(db.app, slug, { method: 'POST' });
    expect([post.status, post.body.code]).to.deep.equal([405, 'method_not_allowed']);
    const head = await callPublic(db.app, slug, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('etag')).to.be.a('string');
  });

  it('never reaches another workspace: its views cannot be published here, its keys open nothing here', async () => {
    const stranger = await startMiniDb('stranger');
    try {
      const { viewId: theirs } = await peopleView(stranger);
      const theirSlug = uniqueSlug('theirs');
      const theirKey = (await publish(stranger, theirs, { slug: theirSlug, auth: 'apiKey' })).apiKey;
      // The owner here is not a member there: the view is unknown to them (404, never 403).
      const intruder = await registerUser(stranger.app, 'intruder');
      const viaOtherUser = await stranger.app.request('PUT', `/api/v1/views/${theirs}/api`, {
        token: intruder.accessToken,
        body: { slug: theirSlug, auth: 'public' },
      });
      expect(viaOtherUser.status).to.equal(404);
      // A view of this workspace published under a key-protected API: the stranger's key is refused.
      const { viewId: mine } = await peopleView(db);
      const mySlug = uniqueSlug('mine');
      await publish(db, mine, { slug: mySlug, auth: 'apiKey' });
      const res = await callPublic(db.app, mySlug, { headers: { 'x-api-key': theirKey } });
      expect([res.status, res.body.code]).to.deep.equal([401, 'invalid_api_key']);
      // A view id of this workspace, named by the other workspace's owner: unknown there.
      const across = await stranger
        .as(stranger.owner)
        .post(`/api/v1/views/${mine}/api`, { slug: uniqueSlug('x'), auth: 'public' });
      expect(across.status).to.equal(404);
    } finally {
      await stranger.stop();
    }
  });
});
