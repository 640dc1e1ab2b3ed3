import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PERMISSIONS_DOC, README, ROOT, permissionsDoc, readmeDoc } from './docs-sources.js';

/**
 * `make docs` / `npm run docs:permissions`: regenerates what is derived from code:
 * docs/permissions.md from the permission matrix, and the configuration table of README.md
 * (between <!-- env:start --> and <!-- env:end -->) from the config table. Unit tests fail
 * when a checked-in copy drifts.
 */
async function writeIfChanged(file: string, content: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  const name = path.relative(ROOT, file);
  if (current === content) {
    process.stdout.write(`${name} is up to date\n`);
    return;
  }
  await writeFile(file, content);
  process.stdout.write(`wrote ${name}\n`);
}

await writeIfChanged(PERMISSIONS_DOC, await permissionsDoc());
await writeIfChanged(README, await readmeDoc());
