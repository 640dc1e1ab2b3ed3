import { expect } from 'chai';
import { ValidationError } from '../../../../dataplane/src/platform/errors.js';
import {
  canonicalJson,
  parsePublicQuery,
} from '../../../../dataplane/src/services/view-apis/public-query.js';
import type { ExposedColumn } from '../../../../dataplane/src/services/view-apis/view-runner.port.js';

const EXPOSED: ExposedColumn[] = [
  { name: 'Name', type: 'text' },
  { name: 'Age', type: 'integer' },
];

function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePublicQuery', () => {
  it('passes a query on exposed fields through, every exposed column by default', () => {
    const parsed = parsePublicQuery({ limit: 10 }, EXPOSED);
    expect(parsed.query).to.deep.equal({ limit: 10 });
    expect(parsed.columns).to.deep.equal(['Name', 'Age']);
    const full = parsePublicQuery(
      {
        limit: 5,
        filter: '{"field":"Age","op":"gt","value":3}',
        sort: ' -Age , Name ',
        fields: 'Age, Age',
        cursor: 'c',
      },
      EXPOSED,
    );
    expect(full.query).to.deep.equal({
      limit: 5,
      filter: { field: 'Age', op: 'gt', value: 3 },
      sort: '-Age,Name',
      fields: ['Age'],
      cursor: 'c',
    });
    expect(full.columns).to.deep.equal(['Age']);
  });

  it('answers a field that is not exposed exactly like one that does not exist', () => {
    const hidden = problemsOf(() => parsePublicQuery({ limit: 1, sort: 'Salary' }, EXPOSED));
    const unknown = problemsOf(() => parsePublicQuery({ limit: 1, sort: 'Nope' }, EXPOSED));
    expect(hidden).to.deep.equal([{ path: 'sort[0]', message: 'no field "Salary"' }]);
    expect(JSON.stringify(hidden).replace('Salary', 'Nope')).to.equal(JSON.stringify(unknown));
    expect(problemsOf(() => parsePublicQuery({ limit: 1, fields: 'Name,Salary' }, EXPOSED))).to.deep.equal([
      { path: 'fields[1]', message: 'no field "Salary"' },
    ]);
    const deep = JSON.stringify({
      and: [{ field: 'Age', op: 'eq', value: 1 }, { not: { or: [{ field: 'Salary', op: 'isEmpty' }] } }],
    });
    expect(problemsOf(() => parsePublicQuery({ limit: 1, filter: deep }, EXPOSED))).to.deep.equal([
      { path: 'filter.and[1].not.or[0].field', message: 'no field "Salary"' },
    ]);
  });

  it('refuses filters that are not trees of known operators, or too deep, or too big', () => {
    const paths = (filter: unknown) =>
      problemsOf(() =>
        parsePublicQuery(
          { limit: 1, filter: typeof filter === 'string' ? filter : JSON.stringify(filter) },
          EXPOSED,
        ),
      ).map((p) => p.path);
    expect(paths('{oops')).to.deep.equal(['filter']);
    expect(paths([])).to.deep.equal(['filter']);
    expect(paths({ and: [] })).to.deep.equal(['filter']);
    expect(paths({ and: [{ field: 'Age', op: 'eq', value: 1 }], or: [] })).to.deep.equal(['filter']);
    expect(paths({ field: 'Age', op: 'like', value: 1 })).to.deep.equal(['filter.op']);
    expect(paths({ field: 'Age', op: 'eq', value: 1, sql: 'x' })).to.deep.equal(['filter']);
    let tree: unknown = { field: 'Age', op: 'eq', value: 1 };
    for (let i = 0; i < 9; i++) tree = { not: tree };
    expect(paths(tree)).to.have.length(1);
    const wide = { or: Array.from({ length: 101 }, () => ({ field: 'Age', op: 'eq', value: 1 })) };
    expect(paths(wide)).to.deep.equal(['filter']);
  });

  it('normalizes equal queries to equal text, whatever the order of keys', () => {
    const a = parsePublicQuery(
      { limit: 3, filter: '{"field":"Age","op":"gt","value":{"b":1,"a":2}}' },
      EXPOSED,
    );
    const b = parsePublicQuery(
      { limit: 3, filter: '{"value":{"a":2,"b":1},"op":"gt","field":"Age"}' },
      EXPOSED,
    );
    expect(a.normalized).to.equal(b.normalized);
    expect(parsePublicQuery({ limit: 4 }, EXPOSED).normalized).to.not.equal(
      parsePublicQuery({ limit: 3 }, EXPOSED).normalized,
    );
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null, u: undefined })).to.equal(
      '{"a":null,"b":[1,{"c":2,"d":1}]}',
    );
  });
});
