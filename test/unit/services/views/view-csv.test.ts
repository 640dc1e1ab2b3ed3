import { expect } from 'chai';
import { csvCell, csvLine, csvStream } from '../../../../dataplane/src/services/views/view-csv.js';

describe('view CSV cells and lines', () => {
  it('writes plain values as they are and null as empty', () => {
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell(42)).to.equal('42');
    expect(csvCell(-5.5)).to.equal('-5.5');
    expect(csvCell(true)).to.equal('true');
    expect(csvCell(null)).to.equal('');
    expect(csvCell(undefined)).to.equal('');
    expect(csvCell('')).to.equal('');
  });

  it('quotes cells with commas, quotes or line breaks, doubling quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('one\ntwo')).to.equal('"one\ntwo"');
    expect(csvCell('one\r\ntwo')).to.equal('"one\r\ntwo"');
  });

  it('prefixes text a spreadsheet would run as a formula; numbers stay numbers', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(text).replace(/^"|"$/g, '').startsWith(`'${text[0]}`), JSON.stringify(text)).to.equal(
        true,
      );
    expect(csvCell('=HYPERLINK("http://x","y")')).to.equal('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell(-1)).to.equal('-1');
  });

  it('writes arrays and objects as JSON', () => {
    expect(csvCell(['a', 'b'])).to.equal('"[""a"",""b""]"');
    expect(csvCell({ k: 1 })).to.equal('"{""k"":1}"');
  });

  it('ends every line with CRLF', () => {
    expect(csvLine(['a', 1, null])).to.equal('a,1,\r\n');
  });

  it('streams the header, then every page as it is read', async () => {
    const pages: Record<string, { data: { fields: Record<string, unknown> }[]; nextCursor: string | null }> =
      {
        c1: { data: [{ fields: { a: 2 } }], nextCursor: 'c2' },
        c2: { data: [{ fields: { a: 3 } }], nextCursor: null },
      };
    const read: string[] = [];
    const stream = csvStream(['a'], { data: [{ fields: { a: 1 } }], nextCursor: 'c1' }, async (cursor) => {
      read.push(cursor);
      return pages[cursor]!;
    });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    expect(text).to.equal('a\r\n1\r\n2\r\n3\r\n');
    expect(read).to.deep.equal(['c1', 'c2']);
  });
});
