import { expect } from 'chai';
import { viewPath } from '../../../../dataplane/src/services/views/view-plan.js';
import { requestPath } from '../../../../dataplane/src/services/views/view-request.js';

describe('view problem paths', () => {
  it('puts query layer problems under the view definition’s own paths', () => {
    const map = { joins: [0, 0, 1], computedOffset: 2, select: [-1, 0, 2] };
    expect(viewPath('sorts[1].field', map)).to.equal('sort[1].field');
    expect(viewPath('select[2]', map)).to.equal('visibleColumns[2]');
    expect(viewPath('joins[2].on.left', map)).to.equal('joins[1].on.left');
    expect(viewPath('joins[1].on.right', map)).to.equal('joins[0].on.right');
    expect(viewPath('computedColumns[3].formula', map)).to.equal('computedColumns[1].formula');
    expect(viewPath('computedColumns[1].name', map)).to.equal('source');
    expect(viewPath('source.table', map)).to.equal('source');
    expect(viewPath('filter.and[0].value', map)).to.equal('filter.and[0].value');
    expect(viewPath('groupBy.fields[0]', map)).to.equal('groupBy.fields[0]');
  });

  it('puts a request’s problems under the request’s own parameters', () => {
    const shape = { combined: true, sorts: [-1, 0, -1], select: [-1, 1, 0] };
    expect(requestPath('filter.and[1].value', shape)).to.equal('filter.value');
    expect(requestPath('filter.and[1].or[0].field', shape)).to.equal('filter.or[0].field');
    expect(requestPath('filter.and[0].value', shape)).to.equal('filter.and[0].value');
    expect(requestPath('sorts[1].field', shape)).to.equal('sort[0].field');
    expect(requestPath('sorts[0].field', shape)).to.equal('sort');
    expect(requestPath('select[1]', shape)).to.equal('fields[1]');
    expect(requestPath('filter.value', { combined: false, sorts: [], select: [] })).to.equal('filter.value');
  });
});
