import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Standalone mode keeps generated secrets under the data directory so tokens and encrypted
 * values survive restarts. Written with mode 0600; never logged.
 */
export async function loadOrCreateSecret(dataDir: string, name: string, bytes: number): Promise<string> {
  const file = path.join(dataDir, 'secrets', name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Only the secrets directory is private; a recursive mkdir with a mode would also make the data
  // directory itself 0700, and embedded PostgreSQL (another user when we are root) lives in it.
  await mkdir(dataDir, { recursive: true });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(bytes).toString('base64');
  await writeFile(file, value + '\n', { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}
