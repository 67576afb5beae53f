import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

/** Failed sign-ins an (account, address) pair may make before each next one must wait. */
export const FREE_FAILURES = 5;
/** The first wait, doubled with each further failure, up to the longest. */
const FIRST_DELAY_MS = 1000;
const LONGEST_DELAY_MS = 15 * 60_000;
/** A pair's failures are forgotten this long after its last one. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Pairs remembered at most; the oldest are forgotten first (an address spraying emails is held back by its own limit). */
const MAX_PAIRS = 100_000;

interface PairState {
  email: string;
  address: string;
  failures: number;
  /** Epoch ms before which this pair may not try again. */
  blockedUntil: number;
  lastFailureAt: number;
}

/** An account that must wait before signing in from some address, for the admins' Users page. */
export interface LockedAccount {
  email: string;
  address: string;
  failures: number;
  blockedUntil: Date;
}

/** The wait after `failures` failed sign-ins of one pair: none for the first few, then 1 s, 2 s, 4 s... up to 15 minutes. */
export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES));
}

/**
 * Slows down password guessing without letting anyone lock an account out from elsewhere.
 *
 * Failures count per (account, address) pair: after five, each further attempt from that pair waits
 * a growing delay (1 s, doubling, at most 15 minutes). Nothing counts per account across
 * addresses, so failures from address A never block the right password from address B: that was a
 * lockout anyone could cause. Each address also has a limit across all accounts (100 attempts in
 * 15 minutes), against one address trying many accounts. Every attempt is counted before the
 * password is checked, so parallel guesses cannot slip past while the (deliberately slow) hash
 * runs; a successful sign-in clears its pair. Admins can clear an account's delays (`unlock`).
 *
 * First-admin setup has its own limit per address (`spendSetupAttempt`), spent before any hashing.
 * Callers pass the email already normalised (trimmed, lower case), as accounts.ts stores it.
 * State is in memory: a restart forgets it, like a delay running out.
 */
export class LoginLimiter {
  private readonly pairs = new Map<string, PairState>();
  private readonly perAddress = new RateLimiterMemory({ points: 100, duration: 15 * 60 });
  private readonly setupPerAddress = new RateLimiterMemory({ points: 10, duration: 15 * 60 });

  constructor(private readonly now: () => number = Date.now) {}

  async spendAttempt(ip: string, email: string): Promise<void> {
    const key = pairKey(ip, email);
    const pair = this.pairs.get(key);
    const now = this.now();
    if (pair && now - pair.lastFailureAt > FORGET_AFTER_MS) this.pairs.delete(key);
    else if (pair && pair.blockedUntil > now) throw tooMany(pair.blockedUntil - now);
    // Counted as a failure now, before anything awaits, so parallel attempts see each other
    // (an attempt the address limit then refuses stays counted: that address is over its limit).
    this.recordFailure(key, ip, email, now);
    try {
      await this.perAddress.consume(ip);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooMany(error.msBeforeNext);
      throw error;
    }
  }

  /** The attempt was a correct sign-in: its pair starts over and the address gets its point back. */
  async refund(ip: string, email: string): Promise<void> {
    this.pairs.delete(pairKey(ip, email));
    await this.perAddress.reward(ip, 1);
  }

  /** Clears every delay of this account, from every address. Returns how many addresses were waiting. */
  unlock(email: string): number {
    let cleared = 0;
    for (const [key, pair] of this.pairs) {
      if (pair.email !== email) continue;
      if (pair.blockedUntil > this.now()) cleared += 1;
      this.pairs.delete(key);
    }
    return cleared;
  }

  /** The (account, address) pairs that must wait now, longest wait first. */
  locked(): LockedAccount[] {
    const now = this.now();
    return [...this.pairs.values()]
      .filter((pair) => pair.blockedUntil > now)
      .sort((a, b) => b.blockedUntil - a.blockedUntil)
      .map((pair) => ({ email: pair.email, address: pair.address, failures: pair.failures, blockedUntil: new Date(pair.blockedUntil) }));
  }

  async spendSetupAttempt(ip: string): Promise<void> {
    try {
      await this.setupPerAddress.consume(ip);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooMany(error.msBeforeNext, 'Too many setup attempts');
      throw error;
    }
  }

  private recordFailure(key: string, address: string, email: string, now: number): void {
    const previous = this.pairs.get(key);
    const failures = (previous?.failures ?? 0) + 1;
    // Re-inserted, so the map's order is least recently failed first.
    this.pairs.delete(key);
    this.pairs.set(key, { email, address, failures, blockedUntil: now + delayAfter(failures), lastFailureAt: now });
    if (this.pairs.size > MAX_PAIRS) this.pairs.delete(this.pairs.keys().next().value!);
  }
}

const pairKey = (ip: string, email: string) => `${ip}\n${email}`;

function tooMany(waitMs: number, what = 'Too many failed sign-ins'): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const wait = seconds < 120 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
  return new AppError('TOO_MANY_REQUESTS', `${what} from your address. Try again in ${wait}.`);
}
