import type { Config } from '../config.ts';

/** What the web app needs to know about this instance. */
export interface InstanceInfo {
  /** The base URL for links, curl snippets and OpenAPI servers, without a trailing slash. */
  publicUrl: string;
  /** True when it is PUBLIC_URL; false when it was guessed from the request (PUBLIC_URL unset). */
  publicUrlFromEnvironment: boolean;
}

/**
 * PUBLIC_URL when set; otherwise the origin the request was sent to (what the browser shows), or
 * this machine's address when the request named none.
 */
export function instanceInfo(config: Pick<Config, 'publicUrl' | 'port'>, request: { host: string | null; protocol: 'http' | 'https' }): InstanceInfo {
  if (config.publicUrl) return { publicUrl: config.publicUrl, publicUrlFromEnvironment: true };
  let origin = `http://localhost:${config.port}`;
  if (request.host) {
    try {
      origin = new URL(`${request.protocol}://${request.host}`).origin;
    } catch {
      // An unreadable Host header: keep this machine's address.
    }
  }
  return { publicUrl: origin, publicUrlFromEnvironment: false };
}
