import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

/**
 * Slows down password guessing: 10 failures per email and address in 15 minutes, and 100 per address
 * across all emails. Successful logins clear the per-email counter.
 */
export class LoginLimiter {
  private readonly perAccount = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
  private readonly perAddress = new RateLimiterMemory({ points: 100, duration: 15 * 60 });

  async assertAllowed(ip: string, email: string): Promise<void> {
    const [account, address] = await Promise.all([
      this.perAccount.get(`${ip}|${email.toLowerCase()}`),
      this.perAddress.get(ip),
    ]);
    const blocked = [account, address].find((res) => res && res.remainingPoints <= 0);
    if (blocked) throw tooMany(blocked);
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    await Promise.all([
      this.perAccount.penalty(`${ip}|${email.toLowerCase()}`, 1),
      this.perAddress.penalty(ip, 1),
    ]);
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    await this.perAccount.delete(`${ip}|${email.toLowerCase()}`);
  }
}

function tooMany(res: RateLimiterRes): AppError {
  const minutes = Math.max(1, Math.ceil(res.msBeforeNext / 60_000));
  return new AppError('TOO_MANY_REQUESTS', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}
