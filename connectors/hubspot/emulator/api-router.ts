import express, { Router, type Request, type Response } from 'express';
import { EmulatorError, errorBody } from './errors.ts';
import type { Faults, RateLimits } from './faults.ts';

export interface ApiRoute {
  method: 'get' | 'post' | 'patch';
  /** Express path, e.g. `/crm/v3/objects/contacts/:contactId`. */
  template: string;
  /** Counts against the search limit too. */
  isSearch?: boolean;
  handle(req: Request): { status: number; body: unknown };
}

/** One API exchange, kept when recording is on (the OpenAPI conformance test reads these). */
export interface Exchange {
  method: string;
  /** Route template with `{param}` placeholders, as the OpenAPI paths write it. */
  path: string;
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `Authentication credentials not found` is HubSpot's own wording for a call without a usable token. */
function authenticate(req: Request, context: ApiContext): void {
  const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
  const token = match?.[1]?.trim();
  if (!token || (context.token !== undefined && token !== context.token))
    throw new EmulatorError(
      401,
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    );
  if (context.faults.expiredToken)
    throw new EmulatorError(
      401,
      'EXPIRED_AUTHENTICATION',
      'The OAuth token used to make this call expired 1 second(s) ago.',
    );
}

export function apiRouter(routes: ApiRoute[], context: ApiContext): Router {
  const router = Router();
  router.use('/crm', express.json({ limit: '10mb' }));
  for (const route of routes) {
    const path = `${route.method.toUpperCase()} ${route.template.replace(/:(\w+)/g, '{$1}')}`;
    router[route.method](route.template, async (req: Request, res: Response) => {
      let status = 500;
      let body: unknown;
      try {
        if (context.faults.latencyMs > 0) await sleep(context.faults.latencyMs);
        authenticate(req, context);
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
        res.status(status).set(headers).json(body);
      } catch (err) {
        const error =
          err instanceof EmulatorError
            ? err
            : new EmulatorError(500, 'INTERNAL_ERROR', (err as Error).message);
        status = error.status;
        body = errorBody(error);
        res.status(status).set(error.headers).json(body);
      } finally {
        context.record(path, status);
        context.exchanges?.push({
          method: route.method.toUpperCase(),
          path: path.slice(path.indexOf(' ') + 1),
          status,
          query: { ...(req.query as Record<string, unknown>) },
          requestBody: req.body,
          responseBody: body,
        });
      }
    });
  }
  return router;
}
