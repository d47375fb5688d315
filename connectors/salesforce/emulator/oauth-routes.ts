import express, { Router } from 'express';
import { bearer } from './rest-guard.ts';
import { sfError, type EmulatorState } from './state.ts';

export interface OAuthOptions {
  /** When set, only this connected app's consumer key is accepted (`invalid_client_id` otherwise). */
  clientId?: string;
  /** When set, the consumer secret must match (`invalid_client` otherwise). */
  clientSecret?: string;
  /** When set, only this refresh token is accepted; otherwise any non-empty one. */
  refreshToken?: string;
  /**
   * Refresh-token rotation, as an org with "Refresh Token Rotation" on the connected app does: every
   * refresh answers a new refresh token and revokes the one it used, so each works once; reusing a spent
   * one revokes the current one too.
   */
  rotateRefreshTokens?: boolean;
  /**
   * Milliseconds a refresh token may go unused before it is refused (`invalid_grant`, "expired
   * access/refresh token"), as the connected app policy "Expire refresh token if not used for N days"
   * does (30 days under Refresh Token Rotation). Unset: never.
   */
  refreshTokenIdleTimeoutMs?: number;
  /** When set, the password grant needs this username and password. */
  username?: string;
  password?: string;
}

/**
 * The OAuth2 token endpoint (refresh-token and password grants), the OpenID userinfo endpoint and the
 * identity URL. The token response carries `id` (`<login>/id/<orgId>/<userId>`), which jsforce parses.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 */
export function oauthRoutes(state: EmulatorState, options: OAuthOptions): Router {
  const router = Router();
  const { store } = state;
  const identity = () => `${state.baseUrl()}/id/${store.orgId}/${store.integrationUserId}`;
  /** Rotation: refresh tokens already spent (revoked). */
  const spent = new Set<string>();
  const rotatedOut = new Set<string>();
  let rotations = 0;
  /** Idle timeout: when each refresh token was issued or last used (unknown ones count from start). */
  const startedAt = state.now();
  const lastUsed = new Map<string, number>();
  const idleTooLong = (token: string) =>
    options.refreshTokenIdleTimeoutMs !== undefined &&
    state.now() - (lastUsed.get(token) ?? startedAt) >= options.refreshTokenIdleTimeoutMs;
  router.post('/services/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    const invalid = (error: string, description: string) =>
      res.status(400).json({ error, error_description: description });
    // The bodies Salesforce's token endpoint answers with (HTTP 400), one per refused credential.
    if (!form.client_id || (options.clientId && form.client_id !== options.clientId))
      return invalid('invalid_client_id', 'client identifier invalid');
    if (options.clientSecret && form.client_secret !== options.clientSecret)
      return invalid('invalid_client', 'invalid client credentials');
    if (form.grant_type === 'refresh_token') {
      const token = form.refresh_token;
      if (token && options.rotateRefreshTokens && spent.has(token)) {
        // Reusing a spent token revokes the current refresh token and its sessions too, as Salesforce does.
        for (const current of rotatedOut) spent.add(current);
        state.sessions.expireAll(state.tokensSeen);
        return invalid('invalid_grant', 'expired access/refresh token');
      }
      if (
        !token ||
        spent.has(token) ||
        (options.refreshToken && token !== options.refreshToken && !rotatedOut.has(token))
      ) {
        return invalid('invalid_grant', 'expired access/refresh token');
      }
      if (idleTooLong(token)) return invalid('invalid_grant', 'expired access/refresh token');
      lastUsed.set(token, state.now());
      if (options.rotateRefreshTokens) spent.add(token);
    } else if (form.grant_type === 'password') {
      const ok =
        form.username &&
        form.password &&
        (!options.username || (form.username === options.username && form.password === options.password));
      if (!ok) return invalid('invalid_grant', 'authentication failure');
    } else {
      return res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
    const issuedAt = String(state.now());
    const nextRefresh =
      form.grant_type === 'refresh_token' && options.rotateRefreshTokens
        ? `5Aep861rot${(rotations += 1)}x${issuedAt}`
        : undefined;
    if (nextRefresh) {
      rotatedOut.add(nextRefresh);
      lastUsed.set(nextRefresh, state.now());
    }
    res.json({
      access_token: state.sessions.issue(store.orgId),
      ...(form.grant_type === 'password' ? { refresh_token: `5Aep861${issuedAt}` } : {}),
      ...(nextRefresh ? { refresh_token: nextRefresh } : {}),
      instance_url: state.baseUrl(),
      id: identity(),
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: Buffer.from(issuedAt).toString('base64'),
      scope: 'api refresh_token',
    });
  });
  const userinfo = (token: string | undefined) => {
    if (!state.sessions.isValid(token)) return undefined;
    return {
      sub: identity(),
      user_id: store.integrationUserId,
      organization_id: store.orgId,
      preferred_username: 'integration@leadbridge.example',
      name: 'LeadBridge Integration',
      active: true,
    };
  };
  router.get('/services/oauth2/userinfo', (req, res) => {
    const info = userinfo(bearer(req));
    if (!info) res.status(401).json(sfError('INVALID_SESSION_ID', 'Session expired or invalid'));
    else res.json(info);
  });
  router.get('/id/:org/:user', (req, res) => {
    const info = userinfo(bearer(req));
    if (!info) res.status(401).json(sfError('INVALID_SESSION_ID', 'Session expired or invalid'));
    else res.json({ ...info, id: identity(), username: info.preferred_username, display_name: info.name });
  });
  return router;
}
