import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { envVariables } from '../../../dataplane/src/platform/config.js';
import { README, envTable, readmeDoc } from '../../../scripts/docs-sources.js';

describe('README.md configuration table', () => {
  it('is generated from envVariables (run `make docs` when this fails)', async () => {
    const checkedIn = await readFile(README, 'utf8');
    expect(checkedIn, 'the README env table differs from config.ts: run `make docs`').to.equal(
      await readmeDoc(),
    );
  });

  it('names every variable config.ts reads', () => {
    const table = envTable();
    for (const name of Object.keys(envVariables)) expect(table).to.include(`\`${name}\``);
  });
});
