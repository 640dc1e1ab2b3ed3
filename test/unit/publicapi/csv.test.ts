import { expect } from 'chai';
import { toCsv } from '../../../dataplane/src/publicapi/csv.js';

describe('CSV of a public API page', () => {
  it('writes RFC 4180: a header row, CRLF line ends, quotes where needed', () => {
    const csv = toCsv(
      ['Name', 'Note', 'Qty', 'Ok', 'Tags', 'Empty'],
      [
        {
          fields: { Name: 'Ada', Note: 'a, "quoted"\nline', Qty: 3, Ok: true, Tags: ['x', 'y'], Empty: null },
        },
        { fields: { Name: 'Bob' } },
      ],
    );
    expect(csv).to.equal(
      'Name,Note,Qty,Ok,Tags,Empty\r\n' +
        'Ada,"a, ""quoted""\nline",3,true,"[""x"",""y""]",\r\n' +
        'Bob,,,,,\r\n',
    );
  });

  it('neutralises text a spreadsheet would run as a formula, in cells and in the header', () => {
    const csv = toCsv(
      ['=cmd'],
      [
        { fields: { '=cmd': '=1+1' } },
        { fields: { '=cmd': '+1' } },
        { fields: { '=cmd': '-2' } },
        { fields: { '=cmd': '@x' } },
        { fields: { '=cmd': '\tx' } },
        { fields: { '=cmd': -2 } },
      ],
    );
    expect(csv.split('\r\n')).to.deep.equal(["'=cmd", "'=1+1", "'+1", "'-2", "'@x", "'\tx", '-2', '']);
  });
});
