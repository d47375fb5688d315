import express, { Router, type Request, type Response } from 'express';
import { checkVersion, datedTemplate, requestVersion } from './api-versions.ts';
import { EmulatorError, errorBody } from './errors.ts';
import type { Faults, RateLimits } from './faults.ts';
import type { OAuthTokens } from './oauth.ts';

export interface ApiRoute {
  method: 'get' | 'post' | 'patch';
  /**
   * Express path of the legacy form, e.g. `/crm/v3/objects/contacts/:contactId`; the route is served at
   * its dated twin too (`/crm/objects/:apiVersion/contacts/:contactId`), with the same behaviour.
   */
  template: string;
  /** Counts against the search limit too. */
  isSearch?: boolean;
  handle(req: Request): { status: number; body: unknown };
}

/** One API exchange, kept when recording is on (the OpenAPI conformance test reads these). */
export interface Exchange {
  method: string;
  /** Route template with `{param}` placeholders, in the legacy form the (v3) OpenAPI paths write it. */
  path: string;
  /** API version of the call: `v3` or a dated one such as `2026-09`. */
  version: string;
  status: number;
  /** Query parameters as Express parsed them (repeated names become arrays). */
  query: Record<string, unknown>;
  requestBody: unknown;
  responseBody: unknown;
}

export interface ApiContext {
  faults: Faults;
  rateLimits: RateLimits;
  random: () => number;
  /** Bearer token required, or any non-empty one when undefined. */
  token: string | undefined;
  record(endpoint: string, status: number): void;
  exchanges: Exchange[] | undefined;
  /** The portal's clock (epoch ms): which API versions it serves depends on the date. */
  now: () => number;
  /** Calls since the token last expired (`expiredTokenEvery`). */
  callsSinceExpiry?: number;
  /** A public app's tokens: when set, only its current access token works. */
  oauth?: OAuthTokens | undefined;
}

/** `expiredTokenEvery`: every Nth authenticated call finds the token expired. */
function tokenExpiresNow(context: ApiContext): boolean {
  if (context.faults.expiredTokenEvery <= 0) return false;
  context.callsSinceExpiry = (context.callsSinceExpiry ?? 0) + 1;
  if (context.callsSinceExpiry < context.faults.expiredTokenEvery) return false;
  context.callsSinceExpiry = 0;
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `Authentication credentials not found` is HubSpot's own wording for a call without a usable token. */
function authenticate(req: Request, context: ApiContext): void {
  const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
  const token = match?.[1]?.trim();
  const oauth = context.oauth;
  const known = oauth && token ? oauth.check(token) : 'ok';
  if (!token || known === 'unknown' || (!oauth && context.token !== undefined && token !== context.token))
    throw new EmulatorError(
      401,
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    );
  // With an OAuth app, an injected expiry ends the current token for good: only a refresh helps.
  const expiresNow = !context.faults.expiredToken && tokenExpiresNow(context);
  if (expiresNow) oauth?.expireNow();
  if (context.faults.expiredToken || expiresNow || known === 'expired')
    throw new EmulatorError(
      401,
      'EXPIRED_AUTHENTICATION',
      'The OAuth token used to make this call expired 1 second(s) ago.',
    );
}

export function apiRouter(routes: ApiRoute[], context: ApiContext): Router {
  const router = Router();
  router.use(['/crm', '/crm-object-schemas'], express.json({ limit: '10mb' }));
  for (const route of routes) {
    const v3Path = route.template.replace(/:(\w+)/g, '{$1}');
    for (const template of [route.template, datedTemplate(route.template)]) {
      router[route.method](template, async (req: Request, res: Response) => {
        const version = requestVersion(req);
        // Stats count calls by the template as called: `POST /crm/objects/2026-09/contacts/batch/read`.
        const endpoint = `${route.method.toUpperCase()} ${template.replace(':apiVersion', version).replace(/:(\w+)/g, '{$1}')}`;
        let status = 500;
        let body: unknown;
        try {
          if (context.faults.latencyMs > 0) await sleep(context.faults.latencyMs);
          authenticate(req, context);
          checkVersion(version, context.now());
          if (context.faults.rateLimitRate > 0 && context.random() < context.faults.rateLimitRate)
            context.faults.rateLimitNext += 1;
          const headers = context.rateLimits.admit(Date.now(), route.isSearch ?? false, context.faults);
          if (context.faults.errorRate > 0 && context.random() < context.faults.errorRate)
            throw new EmulatorError(
              context.faults.errorStatus,
              'INTERNAL_ERROR',
              'Internal error (injected by the emulator)',
            );
          const answer = route.handle(req);
          status = answer.status;
          body = answer.body;
          if (body === undefined) res.status(status).set(headers).end();
          else res.status(status).set(headers).json(body);
        } catch (err) {
          const error =
            err instanceof EmulatorError
              ? err
              : new EmulatorError(500, 'INTERNAL_ERROR', (err as Error).message);
          status = error.status;
          body = errorBody(error);
          res.status(status).set(error.headers).json(body);
        } finally {
          context.record(endpoint, status);
          context.exchanges?.push({
            method: route.method.toUpperCase(),
            path: v3Path,
            version,
            status,
            query: { ...(req.query as Record<string, unknown>) },
            requestBody: req.body,
            responseBody: body,
          });
        }
      });
    }
  }
  return router;
}
