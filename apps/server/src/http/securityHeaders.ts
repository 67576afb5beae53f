import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

const { contentSecurityPolicy } = fastifyHelmet;

/**
 * The Content-Security-Policy the built web app works under: its own scripts only (Vite emits no
 * inline script), inline styles allowed (React Flow and uPlot position elements with style
 * attributes), images and fonts from itself or data: URLs (the favicon is one), API calls to
 * itself, and no page may frame it. `upgrade-insecure-requests` only behind HTTPS: on a plain-HTTP
 * install reached by address it would send the app's own requests to an https:// that is not there.
 */
function cspDirectives(https: boolean) {
  return {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    upgradeInsecureRequests: https ? [] : null,
  };
}

/** Helmet's CSP middleware, run once: the policy text it would set on every response. */
function policyText(https: boolean): string {
  let value = '';
  const collect = {
    setHeader: (_name: string, text: string) => void (value = text),
    removeHeader: () => undefined,
  };
  contentSecurityPolicy({ useDefaults: false, directives: cspDirectives(https) })(
    {} as never,
    collect as never,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  if (!value) throw new Error('Helmet produced no Content-Security-Policy');
  return value;
}

/**
 * The headers every answer carries, pages and API answers alike: helmet's defaults with the policy
 * above. Computed once at start and set with one call per request: @fastify/helmet's own hooks
 * rebuild the same headers on every request, which cost the webhook path about a quarter of its
 * throughput in a bare Fastify measurement.
 */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': policyText(options.https),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // For browsers without CSP's frame-ancestors.
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-permitted-cross-domain-policies': 'none',
    // The old XSS auditor did more harm than good; helmet turns it off too.
    'x-xss-protection': '0',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** Every response of `app` (routes, 404s, errors, static files) gets the security headers. */
export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
