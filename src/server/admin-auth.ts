import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Guards the admin routes with LEADBRIDGE_ADMIN_TOKEN, compared in constant time. The token comes as
 * `Authorization: Bearer <token>`, or as `?token=<token>` so a person can open the report or the queue
 * dashboard in a browser (the query form ends up in browser history and access logs: prefer the header
 * for scripts). Without a configured token every admin route answers 401.
 */
export function requireAdminToken(adminToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1];
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    const given = bearer ?? query;
    if (adminToken && given && sameToken(given, adminToken)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="leadbridge-admin"')
      .json({
        error: adminToken
          ? 'admin routes need Authorization: Bearer <LEADBRIDGE_ADMIN_TOKEN>'
          : 'admin routes are off: set LEADBRIDGE_ADMIN_TOKEN',
      });
  };
}
