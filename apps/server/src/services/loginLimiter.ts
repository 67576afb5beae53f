import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

/**
 * Slows down password guessing. Every attempt spends a point before the password is checked, so
 * parallel guesses cannot slip past the limit while the (deliberately slow) hash runs; a successful
 * sign-in gives the points back. Limits: 10 attempts per email and address in 15 minutes, 100 per
 * address across all emails, and 100 per email across all addresses in an hour.
 * Callers pass the email already normalised (trimmed, lower case), as accounts.ts stores it.
 */
export class LoginLimiter {
  private readonly perAccountAndAddress = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
  private readonly perAddress = new RateLimiterMemory({ points: 100, duration: 15 * 60 });
  private readonly perAccount = new RateLimiterMemory({ points: 100, duration: 60 * 60 });

  async spendAttempt(ip: string, email: string): Promise<void> {
    const results = await Promise.allSettled([
      this.perAccountAndAddress.consume(`${ip}|${email}`),
      this.perAddress.consume(ip),
      this.perAccount.consume(email),
    ]);
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (result.reason instanceof RateLimiterRes) throw tooMany(result.reason);
      throw result.reason;
    }
  }

  async refund(ip: string, email: string): Promise<void> {
    await Promise.all([
      this.perAccountAndAddress.delete(`${ip}|${email}`),
      this.perAddress.reward(ip, 1),
      this.perAccount.reward(email, 1),
    ]);
  }
}

function tooMany(res: RateLimiterRes): AppError {
  const minutes = Math.max(1, Math.ceil(res.msBeforeNext / 60_000));
  return new AppError('TOO_MANY_REQUESTS', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}
