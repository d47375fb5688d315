import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { HubSpotOAuthConfig } from '../../src/config/tenant-schema.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { RateLimitedError } from '../../src/errors/rate-limited-error.ts';
import type { RetryableError } from '../../src/errors/retryable-error.ts';
import { REFRESH_LOCK_TTL_MS } from '../../src/store/session-store.ts';
import { withTimeout } from './api-call.ts';
import { toClassifiedError } from './classify.ts';
import { labelUntypedErrorAnswers } from './sdk-middleware.ts';

/** What a refused refresh token asks of an admin. */
export const REAUTHORIZE_FIX =
  'the refresh token was revoked (app uninstalled or access removed): re-authorize the app (install it again in the portal) and set tenants[].hubspot.oauth.refreshToken to the new refresh token';

const CLIENT_FIX = "check tenants[].hubspot.oauth.clientId and clientSecret against the app's Auth settings";

/**
 * Longest the token call may take, in milliseconds, before it is abandoned as a transient failure. It runs
 * under the tenant's refresh lock, which expires after `REFRESH_LOCK_TTL_MS` (30 s) and is not renewed:
 * a call still hanging then would let a second process refresh too. A third of the lock leaves room for
 * the lock's own Redis calls and the session save.
 */
export const TOKEN_CALL_TIMEOUT_MS = REFRESH_LOCK_TTL_MS / 3;

/** The token endpoint's answer (the SDK maps `access_token` to `accessToken`, and so on). */
const TokenAnswer = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** Seconds the access token lives (1800). */
  expiresIn: z.number().positive(),
});

export interface IssuedToken {
  accessToken: string;
  /** The refresh token to use next: the one answered, else the one used. */
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresInS: number;
}

/** The parts of the SDK's ApiException the classification reads. */
interface TokenFailure {
  code?: unknown;
  body?: { status?: unknown; error?: unknown; message?: unknown; error_description?: unknown };
}

/**
 * A refusal of the token endpoint: 400 `{ status: "BAD_REFRESH_TOKEN", message: "missing or invalid
 * refresh token" }` (OAuth v1; `invalid_grant` in OAuth 2 wording) is permanent: no retry brings a
 * revoked install back, an admin must re-authorize. Other 4xx (`BAD_CLIENT_ID`, a wrong secret) are
 * permanent too; 429, 5xx and network failures are classified like any HubSpot call.
 */
export function tokenError(err: unknown, tenant: string): PermanentError | RateLimitedError | RetryableError {
  const failure = (err ?? {}) as TokenFailure;
  const status = typeof failure.code === 'number' ? failure.code : 0;
  if (status < 400 || status >= 500 || status === 429) return toClassifiedError(err, 'POST /oauth/v1/token');
  const body = failure.body ?? {};
  const code = String(body.status ?? body.error ?? `HTTP_${status}`);
  const detail = String(body.message ?? body.error_description ?? `HTTP ${status}`);
  const revoked = /BAD_REFRESH_TOKEN|invalid_grant/i.test(code);
  const fix = revoked ? REAUTHORIZE_FIX : CLIENT_FIX;
  return new PermanentError(
    `HubSpot refused the OAuth refresh of tenant ${tenant} (${code}: ${detail}): ${fix}`,
    revoked ? 'BAD_REFRESH_TOKEN' : code,
    status,
    { cause: err, fix },
  );
}

/**
 * One refresh-token grant through the SDK: `POST /oauth/v1/token`, form-encoded, grant_type=refresh_token
 * (protocol facts 3.5). A client of its own, without the bearer of the API calls. No answer within
 * `timeoutMs` (default `TOKEN_CALL_TIMEOUT_MS`) is a transient failure (RetryableError) that frees the lock.
 * https://developers.hubspot.com/docs/api/oauth/refresh-access-token
 */
export async function refreshAccessToken(
  baseUrl: string,
  app: HubSpotOAuthConfig,
  refreshToken: string,
  tenant: string,
  timeoutMs = TOKEN_CALL_TIMEOUT_MS,
): Promise<IssuedToken> {
  const sdk = new Client({
    basePath: baseUrl.replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
    middleware: [labelUntypedErrorAnswers],
  });
  let answer: unknown;
  try {
    answer = await withTimeout(
      sdk.oauth.tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        app.clientId,
        app.clientSecret,
        refreshToken,
      ),
      timeoutMs,
      'POST /oauth/v1/token',
    );
  } catch (err) {
    throw tokenError(err, tenant);
  }
  const parsed = TokenAnswer.safeParse(answer);
  if (!parsed.success)
    throw new PermanentError(
      `HubSpot POST /oauth/v1/token: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      'UNEXPECTED_RESPONSE',
    );
  return {
    accessToken: parsed.data.accessToken,
    refreshToken: parsed.data.refreshToken ?? refreshToken,
    expiresInS: parsed.data.expiresIn,
  };
}
