import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { envVariables } from '../dataplane/src/platform/config.js';
import { permissionsMarkdown } from '../dataplane/src/services/rbac/permissions.js';

/**
 * What `make docs` generates, as pure functions of the code, so the generator writes it and the
 * unit tests compare it with what is checked in. Output is prettier-formatted Markdown, so
 * `make lint` (prettier --check) and the tests agree on every byte.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PERMISSIONS_DOC = path.join(ROOT, 'docs', 'permissions.md');
export const README = path.join(ROOT, 'README.md');
export const ENV_START = '<!-- env:start -->';
export const ENV_END = '<!-- env:end -->';

/** Formats Markdown the way `prettier --write` formats the file at `file`. */
export async function formatMarkdown(markdown: string, file: string): Promise<string> {
  const options = (await resolveConfig(file)) ?? {};
  return format(markdown, { ...options, filepath: file });
}

/** docs/permissions.md: the permission matrix of services/rbac/permissions.ts. */
export function permissionsDoc(): Promise<string> {
  return formatMarkdown(permissionsMarkdown(), PERMISSIONS_DOC);
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The configuration table of the README: every variable config.ts reads, with its default. */
export function envTable(): string {
  const rows = Object.entries(envVariables).map(([name, spec]) => {
    const fallback = 'default' in spec ? `\`${spec.default}\`` : 'unset';
    return `| \`${name}\` | ${fallback} | ${cell(spec.doc)} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `text` with the part between the env markers replaced by the generated table. */
export function withEnvTable(text: string): string {
  const start = text.indexOf(ENV_START);
  const end = text.indexOf(ENV_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${ENV_START} ... ${ENV_END} markers`);
  return `${text.slice(0, start + ENV_START.length)}\n\n${envTable()}\n\n${text.slice(end)}`;
}

/** README.md as it should be: the checked-in text with a freshly generated env table. */
export async function readmeDoc(): Promise<string> {
  return formatMarkdown(withEnvTable(await readFile(README, 'utf8')), README);
}
