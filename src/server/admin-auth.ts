import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';
import { sameSecret } from '../security/same-secret.ts';
import { checkAdminToken, type AdminTokenCheck } from './admin-token-policy.ts';
import { AdminSessions, FailureThrottle, SESSION_TTL_SECONDS } from './admin-sessions.ts';

/** Name of the admin session cookie. */
export const SESSION_COOKIE = 'lb_admin_session';

export interface AdminAuthOptions {
  /** LEADBRIDGE_ADMIN_TOKEN. Missing, placeholder or short: the admin routes answer 503. */
  adminToken: string | undefined;
  redis: Redis;
  /** Base of the Redis keys (LEADBRIDGE_REDIS_PREFIX). */
  redisPrefix: string;
  /** LEADBRIDGE_PUBLIC_URL: an https URL makes the session cookie `Secure`. */
  publicUrl?: string | undefined;
  logger: Logger;
  now?: () => Date;
}

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A browser asking for a page (not an API client asking for JSON). */
function wantsPage(req: Request): boolean {
  return req.method === 'GET' && (req.get('accept') ?? '').includes('text/html');
}

/**
 * Who may use the admin routes: API clients with `Authorization: Bearer <LEADBRIDGE_ADMIN_TOKEN>`,
 * browsers with the session cookie `/login` sets. Failed attempts are throttled per client and in total.
 * `guard` is the middleware every admin route mounts (`app.get('/x', auth.guard, handler)`).
 */
export class AdminAuth {
  readonly tokenCheck: AdminTokenCheck;
  readonly sessions: AdminSessions;
  readonly throttle: FailureThrottle;
  private readonly options: AdminAuthOptions;

  constructor(options: AdminAuthOptions) {
    this.options = options;
    this.tokenCheck = checkAdminToken(options.adminToken);
    this.sessions = new AdminSessions(options.redis, options.redisPrefix);
    this.throttle = new FailureThrottle(options.redis, options.redisPrefix);
  }

  /** Whether the token is strong enough for the admin routes to be on. */
  get enabled(): boolean {
    return this.tokenCheck.ok;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Whether `given` is the admin token (constant time). */
  tokenMatches(given: string): boolean {
    const expected = this.options.adminToken;
    return this.enabled && expected !== undefined && sameSecret(given, expected);
  }

  /** `Secure` when the request came over TLS (directly or per the proxy) or the public URL is https. */
  secureCookies(req: Request): boolean {
    return req.secure || (this.options.publicUrl ?? '').toLowerCase().startsWith('https:');
  }

  sessionCookie(req: Request, id: string, maxAgeSeconds = SESSION_TTL_SECONDS): string {
    return [
      `${SESSION_COOKIE}=${id}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${maxAgeSeconds}`,
      ...(this.secureCookies(req) ? ['Secure'] : []),
    ].join('; ');
  }

  sessionId(req: Request): string | undefined {
    return cookieValue(req, SESSION_COOKIE);
  }

  /** Client address for the throttle (behind a proxy, as `trust proxy` resolves it). */
  client(req: Request): string {
    return req.ip ?? req.socket.remoteAddress ?? 'unknown';
  }

  /** Answers 429 and returns true when the client is throttled. */
  async refuseIfThrottled(req: Request, res: Response): Promise<boolean> {
    const wait = await this.throttle.blockedFor(this.client(req));
    if (wait === 0) return false;
    res
      .status(429)
      .set('retry-after', String(wait))
      .json({ error: `too many failed admin attempts; try again in ${wait} s` });
    return true;
  }

  readonly guard: RequestHandler = (req, res, next) => {
    this.check(req, res).then((ok) => (ok ? next() : undefined), next);
  };

  private async check(req: Request, res: Response): Promise<boolean> {
    if (!this.tokenCheck.ok) {
      res.status(503).json({ error: `admin routes are off: ${this.tokenCheck.problem}` });
      return false;
    }
    if (await this.refuseIfThrottled(req, res)) return false;
    const header = req.get('authorization');
    const bearer = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (bearer !== undefined) {
      if (this.tokenMatches(bearer)) return true;
      await this.throttle.fail(this.client(req));
    } else {
      const session = this.sessionId(req);
      if (session !== undefined && (await this.sessions.valid(session))) return true;
    }
    if (wantsPage(req)) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return false;
    }
    res.status(401).set('WWW-Authenticate', 'Bearer realm="leadbridge-admin"').json({
      error: 'admin routes need Authorization: Bearer <LEADBRIDGE_ADMIN_TOKEN> or a sign-in at /login',
    });
    return false;
  }
}
