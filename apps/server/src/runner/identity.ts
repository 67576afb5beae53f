import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lease: `<host>:<pid namespace>:<pid>:<nonce>`. The nonce makes a restarted process a
 * new owner even when it gets the same pid (pid 1 in a container).
 */
export function newOwnerId(): string {
  return [hostname(), pidNamespace(), process.pid, randomBytes(4).toString('hex')].join(':');
}

/** The inode of this process's pid namespace on Linux ("" elsewhere), which tells containers apart. */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
  } catch {
    return '';
  }
}

const SELF = { host: hostname(), namespace: pidNamespace() };

/**
 * Whether the process behind another lease owner is certainly gone, so its runs need not wait for
 * their lease to expire. Only for an owner in this very pid namespace on this host (processes that
 * share an SQLite file usually are), where a pid is meaningful: its pid is not alive, or is our own
 * pid (it was an earlier run of this process's slot). Anywhere else: unknown, wait for the lease.
 */
export function isOwnerGone(owner: string, self: string): boolean {
  if (owner === self) return false;
  const [host, namespace, pidText] = owner.split(':');
  if (host !== SELF.host || !namespace || namespace !== SELF.namespace) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
