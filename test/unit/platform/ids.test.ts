import { expect } from 'chai';
import { validate, version } from 'uuid';
import { newId } from '../../../dataplane/src/platform/ids.js';

describe('newId', () => {
  it('makes valid, distinct version-7 UUIDs whose order is their creation order', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids.slice(0, 100)) {
      expect(validate(id), id).to.equal(true);
      expect(version(id)).to.equal(7);
      expect(id[19]).to.be.oneOf(['8', '9', 'a', 'b']); // the RFC 9562 variant
    }
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('carries the creation time in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const ms = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms)
      .to.be.at.least(before)
      .and.at.most(Date.now() + 5);
  });
});
