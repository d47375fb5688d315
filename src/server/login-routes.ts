import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '../log/logger.ts';
import type { AdminAuth } from './admin-auth.ts';
import { loginPage } from './login-page.ts';

/** Where to go after signing in: a path on this server only (never `//host` or a full URL). */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2_000) return '/report';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/report';
  return value;
}

/** A form post from another site (the cookie is SameSite=Strict, this refuses cross-site sign-in too). */
function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

function page(res: Response, status: number, html: string): void {
  res.status(status).set('cache-control', 'no-store').type('html').send(html);
}

/**
 * `GET /login` (the sign-in page), `POST /login` (checks the token in constant time, throttled, sets
 * the HttpOnly, SameSite=Strict session cookie and goes to `next`), `POST /logout`.
 */
export function loginRoutes(auth: AdminAuth, logger: Logger): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    if (!auth.tokenCheck.ok)
      return page(
        res,
        503,
        loginPage({ next, disabled: `Admin sign-in is off: ${auth.tokenCheck.problem}` }),
      );
    page(res, 200, loginPage({ next }));
  });

  router.post('/login', form, async (req, res, nextHandler) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      if (!auth.tokenCheck.ok)
        return page(
          res,
          503,
          loginPage({ next, disabled: `Admin sign-in is off: ${auth.tokenCheck.problem}` }),
        );
      if (crossSite(req))
        return page(res, 403, loginPage({ next, error: 'Sign-in from another site refused.' }));
      const wait = await auth.throttle.blockedFor(auth.client(req));
      if (wait > 0) {
        res.set('retry-after', String(wait));
        return page(
          res,
          429,
          loginPage({ next, error: `Too many failed attempts; try again in ${Math.ceil(wait / 60)} min.` }),
        );
      }
      const token = typeof body.token === 'string' ? body.token : '';
      if (!auth.tokenMatches(token)) {
        await auth.throttle.fail(auth.client(req));
        logger.warn({ client: auth.client(req) }, 'admin sign-in refused');
        return page(res, 401, loginPage({ next, error: 'That is not the admin token.' }));
      }
      const session = await auth.sessions.create(auth.now());
      logger.info({ client: auth.client(req) }, 'admin signed in');
      res.set('set-cookie', auth.sessionCookie(req, session)).redirect(303, next);
    } catch (error) {
      nextHandler(error);
    }
  });

  router.post('/logout', async (req, res, nextHandler) => {
    try {
      const session = auth.sessionId(req);
      if (session !== undefined && !crossSite(req)) await auth.sessions.destroy(session);
      res.set('set-cookie', auth.sessionCookie(req, '', 0)).redirect(303, '/login');
    } catch (error) {
      nextHandler(error);
    }
  });
  return router;
}
