import type { RetryDecision } from '../../src/errors/index.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import { RateLimitedError } from '../../src/errors/rate-limited-error.ts';
import { RetryableError } from '../../src/errors/retryable-error.ts';
import { BURST_WINDOW_MS, LOCKED_WAIT_MS } from './limits.ts';
import { HubSpotErrorBody } from './schemas.ts';

// https://developers.hubspot.com/docs/api/usage-details (429 bodies and X-HubSpot-RateLimit-* headers)
// https://developers.hubspot.com/docs/api-reference/error-handling (423, 477, 5xx)

/** A daily-limit 429 is probed again after this long, in milliseconds: the reset happens at midnight in the
 * account's own time zone, which the API does not tell us, so an hourly probe finds it within the hour. */
export const DAILY_LIMIT_PROBE_MS = 3_600_000;

/** Wait after a search-endpoint "secondly" 429, in milliseconds (the limit is per second). */
const SECONDLY_WAIT_MS = 1_000;

/** What the SDK's ApiException (and our own emulator client) carries: status, parsed body, headers. */
interface HttpFailure {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function isHttpFailure(err: unknown): err is HttpFailure {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    (err as { code: number }).code >= 100
  );
}

function networkCode(err: unknown): string | undefined {
  for (let current = err, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if ((current as { name?: unknown }).name === 'TimeoutError') return 'TIMEOUT';
    if ((current as { name?: unknown }).name === 'AbortError') return 'ABORTED';
    current = (current as { cause?: unknown }).cause;
  }
  if (err instanceof TypeError && err.message === 'fetch failed') return 'FETCH_FAILED';
  return undefined;
}

function positiveNumber(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : undefined;
}

function rateLimitWait(body: HubSpotErrorBody, headers: Record<string, string>): RetryDecision {
  const retryAfterS = positiveNumber(headers['retry-after']);
  const policy =
    body.policyName ?? (body.message === 'You have reached your secondly limit.' ? 'SECONDLY' : 'UNKNOWN');
  if (policy === 'DAILY') return { kind: 'rate_limited', waitMs: DAILY_LIMIT_PROBE_MS, policy };
  if (retryAfterS !== undefined) return { kind: 'rate_limited', waitMs: retryAfterS * 1000, policy };
  if (policy === 'SECONDLY') return { kind: 'rate_limited', waitMs: SECONDLY_WAIT_MS, policy };
  // TEN_SECONDLY_ROLLING (or unnamed): the window is rolling, so one full interval frees every slot.
  const intervalMs = positiveNumber(headers['x-hubspot-ratelimit-interval-milliseconds']) ?? BURST_WINDOW_MS;
  return { kind: 'rate_limited', waitMs: intervalMs, policy };
}

/**
 * True for HubSpot's 401 EXPIRED_AUTHENTICATION ("The OAuth token used to make this call expired"), on
 * the failure itself or a classified error's `cause`: a public app's token to refresh.
 */
export function expiredAuthentication(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 3; depth++) {
    if (isHttpFailure(current) && current.code === 401) {
      const parsed = HubSpotErrorBody.safeParse(current.body);
      return parsed.success && parsed.data.category === 'EXPIRED_AUTHENTICATION';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What to do about a failed HubSpot call: wait (429 and friends), retry later (5xx, network), or give up. */
export function classify(err: unknown): RetryDecision {
  if (isHttpFailure(err)) {
    const status = err.code;
    const parsed = HubSpotErrorBody.safeParse(err.body);
    const body: HubSpotErrorBody = parsed.success ? parsed.data : {};
    const headers = Object.fromEntries(
      Object.entries(err.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    if (status === 429) return rateLimitWait(body, headers);
    if (status === 423) return { kind: 'rate_limited', waitMs: LOCKED_WAIT_MS, policy: 'LOCKED' };
    if (status === 477) {
      const waitS = positiveNumber(headers['retry-after']) ?? 60;
      return { kind: 'rate_limited', waitMs: waitS * 1000, policy: 'MIGRATION_IN_PROGRESS' };
    }
    if (status >= 500 || status === 408) return { kind: 'transient', reason: `HTTP ${status}` };
    if (expiredAuthentication(err)) {
      // An OAuth access token lives 30 minutes; once the installer's token is renewed, the same call
      // works. Retrying is right; recording the record as permanently failed is not.
      // https://developers.hubspot.com/docs/api/oauth/refresh-access-token
      return { kind: 'transient', reason: `access token expired: ${body.message ?? 'HTTP 401'}` };
    }
    const code = body.errors?.[0]?.code ?? body.category ?? `HTTP_${status}`;
    return { kind: 'permanent', code, reason: body.message ?? `HTTP ${status}`, status };
  }
  const network = networkCode(err);
  if (network) return { kind: 'transient', reason: network };
  return { kind: 'permanent', code: 'UNEXPECTED', reason: err instanceof Error ? err.message : String(err) };
}

/** The error class that carries `decision`'s policy, with `cause` kept. */
export function toClassifiedError(
  err: unknown,
  what: string,
): RateLimitedError | RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  const decision = classify(err);
  switch (decision.kind) {
    case 'rate_limited':
      return new RateLimitedError(
        `HubSpot ${what}: rate limited (${decision.policy})`,
        decision.waitMs,
        decision.policy,
        {
          cause: err,
        },
      );
    case 'transient':
      return new RetryableError(`HubSpot ${what}: ${decision.reason}`, { cause: err });
    case 'permanent':
      return new PermanentError(`HubSpot ${what}: ${decision.reason}`, decision.code, decision.status, {
        cause: err,
      });
  }
}
