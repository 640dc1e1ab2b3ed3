import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { permissionsMarkdown } from '../../../dataplane/src/services/rbac/permissions.js';
import { PERMISSIONS_DOC, formatMarkdown, permissionsDoc } from '../../../scripts/docs-sources.js';

describe('docs/permissions.md', () => {
  it('is the permission matrix of the code (run `make docs` when this fails)', async () => {
    const checkedIn = await readFile(PERMISSIONS_DOC, 'utf8').catch(() => '(missing)');
    expect(checkedIn, 'docs/permissions.md differs from permissionsMarkdown(): run `make docs`').to.equal(
      await permissionsDoc(),
    );
  });

  it('differs from permissionsMarkdown() in layout only', async () => {
    // The generator prettier-formats the matrix; formatting must not change the words.
    const words = (text: string) => text.replace(/[\s|:-]+/g, ' ').trim();
    expect(words(await formatMarkdown(permissionsMarkdown(), PERMISSIONS_DOC))).to.equal(
      words(permissionsMarkdown()),
    );
  });
});
