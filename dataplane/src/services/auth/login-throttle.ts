import { RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../platform/errors.js';
import type { LimiterFactory } from '../../platform/rate-limiter.js';

const MAX_BACKOFF_SECONDS = 15 * 60;

/**
 * Brute-force protection for login: a fixed budget per IP per minute, and per account a growing
 * back-off (1 s, 2 s, 4 s ... 15 min) once `freeFailures` consecutive failures have been made.
 * Accounts are keyed by the normalised email, so unknown emails behave exactly like real ones.
 */
export class LoginThrottle {
  private readonly perIp;
  private readonly failures;
  private readonly lockout;

  constructor(
    limiters: LimiterFactory,
    perIpPerMinute: number,
    private readonly freeFailures: number,
  ) {
    this.perIp = limiters({ keyPrefix: 'login_ip', points: perIpPerMinute, durationSeconds: 60 });
    this.failures = limiters({ keyPrefix: 'login_fail', points: 1_000_000, durationSeconds: 24 * 3600 });
    this.lockout = limiters({ keyPrefix: 'login_lock', points: 1, durationSeconds: 1 });
  }

  async beforeAttempt(ip: string, email: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        throw tooMany('Too many login attempts from this address', rejection);
      throw rejection;
    }
    const lock = await this.lockout.get(email);
    if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
      throw tooMany('Too many failed logins for this account; wait before trying again', lock);
    }
  }

  async recordFailure(email: string): Promise<void> {
    const { consumedPoints } = await this.failures.penalty(email);
    // The `freeFailures`-th failure starts the back-off: 1 s, then doubling with each failure.
    const over = consumedPoints - this.freeFailures;
    if (over >= 0) await this.lockout.block(email, Math.min(MAX_BACKOFF_SECONDS, 2 ** over));
  }

  async recordSuccess(email: string): Promise<void> {
    await Promise.all([this.failures.delete(email), this.lockout.delete(email)]);
  }
}

function tooMany(detail: string, res: RateLimiterRes): RateLimitedError {
  return new RateLimitedError(detail, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
}
