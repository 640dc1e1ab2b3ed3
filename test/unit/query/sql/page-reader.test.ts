import { expect } from 'chai';
import { decodeKeysetCursor } from '../../../../dataplane/src/query/keyset-cursor.js';
import { pageReader } from '../../../../dataplane/src/query/sql/page-reader.js';
import type { StatementPlan } from '../../../../dataplane/src/query/sql/statement.compiler.js';
import { keyword } from '../../../../dataplane/src/query/sql/sql-fragment.js';

const plan = (names: string[], limit: number): StatementPlan => ({
  statement: keyword('SELECT'),
  outputs: names.map((name, i) => ({ alias: `o${i}`, name, type: i === 0 ? 'integer' : 'datetime' })),
  cursorKeys: [{ alias: 'o0', name: 'o0', type: 'integer', nullable: false }],
  limit,
  fingerprint: 'fp',
});

describe('pageReader', () => {
  it('keys rows by output name, normalizes each column and cuts the look-ahead row', () => {
    const read = pageReader(plan(['id', 'at'], 2));
    const page = read([
      { o0: '1', o1: '2024-01-02T03:04:05.123456Z' },
      { o0: '2', o1: null },
      { o0: '3', o1: undefined },
    ]);
    expect(page.rows).to.deep.equal([
      { id: 1, at: '2024-01-02T03:04:05.123Z' },
      { id: 2, at: null },
    ]);
    expect(page.hasMore).to.equal(true);
    expect(
      decodeKeysetCursor(page.nextCursor as string, 'fp', [{ type: 'integer', nullable: false }]),
    ).to.deep.equal(['2']);
    expect(read([{ o0: '1', o1: null }])).to.deep.equal({
      rows: [{ id: 1, at: null }],
      nextCursor: null,
      hasMore: false,
    });
  });

  it('makes a column named __proto__ an own property, never the row prototype', () => {
    const [row] = pageReader(plan(['__proto__', 'at'], 5))([{ o0: 7, o1: null }]).rows;
    expect(Object.getPrototypeOf(row)).to.equal(Object.prototype);
    expect(Object.keys(row as object)).to.deep.equal(['__proto__', 'at']);
    expect(JSON.stringify(row)).to.equal('{"__proto__":7,"at":null}');
  });
});
