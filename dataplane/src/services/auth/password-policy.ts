import bcrypt from 'bcrypt';
import { ValidationError } from '../../platform/errors.js';

const MIN_LENGTH = 10;
/** bcrypt ignores everything after 72 bytes; longer passwords would silently be truncated. */
const MAX_BYTES = 72;
const COMMON = new Set([
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'iloveyou123',
  'letmein1234',
  'welcome123',
  'admin12345',
  'passw0rd123',
  'qwerty12345',
  'abcdefghij',
]);

/** NIST 800-63B style: length over composition rules, refuse the obvious ones. */
export function assertPasswordAcceptable(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new ValidationError(`password: ${problem}`, [{ path: '/password', message: problem }]);
}

function passwordProblem(password: string, email: string): string | undefined {
  if ([...password].length < MIN_LENGTH) return `must be at least ${MIN_LENGTH} characters`;
  if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) return `must be at most ${MAX_BYTES} bytes (UTF-8)`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is too common';
  if (new Set(lower).size < 4) return 'must use at least 4 different characters';
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local)) return 'must not contain your email address';
  return undefined;
}

export class PasswordHasher {
  /** A real hash of a random string, compared against when the account does not exist, so
   *  unknown emails take as long as wrong passwords. */
  private readonly dummy: Promise<string>;

  constructor(private readonly cost: number) {
    this.dummy = bcrypt.hash('not-a-real-password-' + Math.random(), cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const ok = await bcrypt.compare(password, hash ?? (await this.dummy));
    return ok && hash !== undefined;
  }
}
