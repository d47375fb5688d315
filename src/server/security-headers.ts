import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every route (helmet): `nosniff`, `Referrer-Policy: same-origin` (nothing leaks to other sites), no framing
 * (`frame-ancestors 'none'`), and a Content-Security-Policy that lets pages load only from this server.
 * The report and the sign-in page use inline CSS and no scripts; the queue dashboard loads its scripts,
 * styles and API from its own path (its external font link is removed, see queue-dashboard.ts). HSTS only
 * when LeadBridge is served over https.
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form posts.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}
