import { AppError } from './errors.ts';

/** Host names that always mean "this machine". */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host name of a Host header or an Origin, lower case, without port; null when unreadable. */
function hostnameOf(value: string, isOrigin: boolean): string | null {
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/**
 * First-admin setup claims the instance, so it is accepted only from a page addressed to this
 * machine (localhost, 127.0.0.1, [::1]) or to PUBLIC_URL's host. Without this, a foreign page
 * could claim a fresh install through DNS rebinding: its own name resolved to this server's
 * address makes the browser send Host: evil.example with a same-origin Origin, which passes any
 * same-origin check. Both headers must name an allowed host (Origin only when sent: scripts and
 * curl send none). Cheap, so it runs before the rate limit and any password hashing.
 */
export function assertSetupAllowed(request: { host: string | null; origin: string | null }, publicUrl: string | null): void {
  const allowed = new Set(LOOPBACK_HOSTS);
  if (publicUrl) allowed.add(new URL(publicUrl).hostname.toLowerCase());
  const host = request.host ? hostnameOf(request.host, false) : null;
  const origin = request.origin === null ? undefined : hostnameOf(request.origin, true);
  const refused = host === null || !allowed.has(host) ? (request.host ?? '(no Host header)') : origin !== undefined && (origin === null || !allowed.has(origin)) ? request.origin : null;
  if (refused === null) return;
  throw new AppError(
    'FORBIDDEN',
    `First-admin setup is accepted only on localhost, 127.0.0.1 or [::1]${publicUrl ? ` or ${new URL(publicUrl).host}` : ''}, and this request came for ${refused}. ` +
      'Open Switchyard at one of those addresses, set PUBLIC_URL to the address you use, or create the admin on the server with: switchyard create-admin',
  ).because('setup_host');
}
