import express, { Router } from 'express';
import { z } from 'zod';
import type { OAuthTokens } from './oauth.ts';

const OAuthControl = z.strictObject({
  /** The current access token runs out now. */
  expireAccessToken: z.boolean().optional(),
  /** The install is removed: the refresh token is refused from now on. */
  revokeRefreshToken: z.boolean().optional(),
  /** Lifetime of the access tokens issued from now on, in seconds. */
  accessTokenTtlSeconds: z.number().int().positive().optional(),
});

/**
 * `POST /oauth/v1/token` (form-encoded, grant_type=refresh_token) as HubSpot answers it, and
 * `/__emulator/oauth` to expire the access token or revoke the install. Without an OAuth app the token
 * endpoint refuses every client id, as HubSpot does for an unknown app.
 */
export function oauthRoutes(
  tokens: OAuthTokens | undefined,
  record: (endpoint: string, status: number) => void,
): Router {
  const router = Router();
  router.post('/oauth/v1/token', express.urlencoded({ extended: false }), (req, res) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    const answer = tokens
      ? tokens.refresh(form)
      : { status: 400, body: { status: 'BAD_CLIENT_ID', message: 'missing or unknown client id' } };
    record('POST /oauth/v1/token', answer.status);
    res.status(answer.status).json(answer.body);
  });
  router.get('/__emulator/oauth', (_req, res) => {
    res.json(
      tokens
        ? { enabled: true, refreshes: tokens.refreshes, accessTokenTtlSeconds: tokens.ttlSeconds }
        : { enabled: false },
    );
  });
  router.post('/__emulator/oauth', express.json(), (req, res) => {
    const parsed = OAuthControl.safeParse(req.body ?? {});
    if (!parsed.success) return res.status(400).json({ message: z.prettifyError(parsed.error) });
    if (!tokens) return res.status(409).json({ message: 'the emulator was started without an OAuth app' });
    if (parsed.data.accessTokenTtlSeconds !== undefined)
      tokens.ttlSeconds = parsed.data.accessTokenTtlSeconds;
    if (parsed.data.expireAccessToken) tokens.expireNow();
    if (parsed.data.revokeRefreshToken) tokens.revoke();
    res.json({ status: 'ok', refreshes: tokens.refreshes });
  });
  return router;
}
