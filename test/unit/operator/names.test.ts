import { expect } from 'chai';
import {
  childName,
  InvalidWorkspaceNameError,
  objectKey,
  parseObjectKey,
  tenantSchemaName,
  workspaceEndpoint,
} from '../../../operator/src/names.js';

describe('operator names', () => {
  it('names schema and role lt_ws_<name> with - as _, children lt-<name>', () => {
    expect(tenantSchemaName('acme-corp')).to.equal('lt_ws_acme_corp');
    expect(childName('acme-corp')).to.equal('lt-acme-corp');
    expect(workspaceEndpoint('acme-corp', 'tenants')).to.equal('http://lt-acme-corp.tenants.svc:8080');
  });

  it('refuses names that are not DNS-1123 labels of at most 40 characters', () => {
    for (const bad of ['Acme', '-acme', 'acme-', 'a_b', 'a'.repeat(41), '', 'a"; DROP ROLE x; --'])
      expect(() => tenantSchemaName(bad), bad).to.throw(InvalidWorkspaceNameError);
    expect(tenantSchemaName('a'.repeat(40))).to.have.length(46);
  });

  it('keys objects namespace/name and reads them back', () => {
    expect(objectKey('tenants', 'acme')).to.equal('tenants/acme');
    expect(parseObjectKey('tenants/acme')).to.deep.equal({ namespace: 'tenants', name: 'acme' });
    for (const bad of ['acme', '/acme', 'tenants/', 'a/b/c'])
      expect(parseObjectKey(bad), bad).to.equal(undefined);
  });
});
