import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** What the HTTP server is created with: slow-header clients are answered 408 and dropped. */
export function httpServerOptions(limits: { headersTimeoutMs: number }): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout (300 s by default); Fastify
    // sets its own request timeout (none) right after creating the server anyway.
    requestTimeout: 0,
    // Node looks for expired headers on this interval (30 s by default, which would make a short
    // timeout up to 30 s late); one scan of the open connections a second costs nothing.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
}

/** How often the log may say that an address was refused connections (once a minute per address). */
const WARN_EVERY_MS = 60_000;
/** Addresses remembered for that, at most; the oldest are forgotten first. */
const MAX_WARNED = 1000;

/**
 * Caps the connections one client address holds open at once: a client past the cap has its new
 * connection closed as it arrives, before a byte is read, so one client cannot take every socket
 * (file descriptors) from the others. The cap is far above what a browser (6 per host) or a
 * webhook sender uses; a reverse proxy on this machine counts as one client, hence the high default.
 */
export function limitConnectionsPerAddress(server: Server, options: { maxPerAddress: number; log: Logger }): { open(address: string): number } {
  const open = new Map<string, number>();
  const warned = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= options.maxPerAddress) {
      socket.destroy();
      const now = Date.now();
      if (now - (warned.get(address) ?? 0) >= WARN_EVERY_MS) {
        warned.delete(address);
        warned.set(address, now);
        if (warned.size > MAX_WARNED) warned.delete(warned.keys().next().value!);
        options.log.warn({ address, limit: options.maxPerAddress }, 'refused connections from an address over MAX_CONNECTIONS_PER_ADDRESS');
      }
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return { open: (address) => open.get(address) ?? 0 };
}
