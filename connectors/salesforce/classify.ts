import type { RetryDecision } from '../../src/errors/index.ts';
import { LIMIT_EXCEEDED_PAUSE_MS } from './limits.ts';

/**
 * Pure retry policy for a failed Salesforce call. jsforce throws `HttpApiError` with the API's
 * `errorCode` (its `name` too) and the parsed body in `data`; network failures are undici `TypeError`s
 * whose `cause.code` names the socket error. jsforce errors carry no HTTP status (`status` is only read
 * when an error has one), so a 500 is recognised by its body code or `ERROR_HTTP_500` alone.
 *
 * REST status codes and error bodies:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export function classify(err: unknown): RetryDecision {
  const info = describeError(err);
  if (info.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    // The concurrent-request cap (25 long-running requests) clears within seconds; the daily total does
    // not, and retrying it would only burn what other integrations have left.
    const concurrent = /ConcurrentRequests/i.test(info.message);
    return {
      kind: 'rate_limited',
      waitMs: concurrent ? 20_000 : LIMIT_EXCEEDED_PAUSE_MS,
      policy: concurrent ? 'CONCURRENT_REQUESTS' : 'REQUEST_LIMIT_EXCEEDED',
    };
  }
  if (info.errorCode === 'LEADBRIDGE_BUDGET') {
    return {
      kind: 'rate_limited',
      waitMs: info.waitMs ?? LIMIT_EXCEEDED_PAUSE_MS,
      policy: 'LEADBRIDGE_BUDGET',
    };
  }
  if (info.status === 429 || info.status === 420 || info.errorCode === 'ERROR_HTTP_429') {
    return { kind: 'rate_limited', waitMs: 10_000, policy: `HTTP_${info.status ?? 429}` };
  }
  if (/invalid_grant|invalid_client|unauthorized_client/i.test(`${info.errorCode} ${info.message}`)) {
    // The refresh token was revoked or the connected app changed: no retry helps, an admin must act.
    return { kind: 'permanent', code: 'INVALID_GRANT', reason: info.message, status: info.status ?? 400 };
  }
  if (info.errorCode === 'INVALID_SESSION_ID' || info.status === 401) {
    // jsforce refreshes on 401 and retries once; a second 401 in a row is worth one more job attempt.
    return { kind: 'transient', reason: `session expired: ${info.message}` };
  }
  if (TRANSIENT_CODES.has(info.errorCode))
    return { kind: 'transient', reason: `${info.errorCode}: ${info.message}` };
  if (info.status !== undefined && info.status >= 500) {
    return { kind: 'transient', reason: `HTTP ${info.status}: ${info.message}` };
  }
  const httpCode = /^ERROR_HTTP_(\d{3})$/.exec(info.errorCode);
  if (httpCode && Number(httpCode[1]) >= 500) return { kind: 'transient', reason: `HTTP ${httpCode[1]}` };
  if (info.network) return { kind: 'transient', reason: `network: ${info.network}` };
  if (/Unable to refresh session/i.test(info.message)) {
    // The refresh itself failed without an OAuth error (token endpoint down): try again later.
    return { kind: 'transient', reason: info.message };
  }
  return {
    kind: 'permanent',
    code: info.errorCode || 'UNKNOWN_ERROR',
    reason: info.message,
    ...(info.status !== undefined ? { status: info.status } : {}),
  };
}

/** Per-record collection errors: only a row lock is worth another try; everything else is the record's own fault. */
export function classifyRecordError(statusCode: string, message: string): RetryDecision {
  if (TRANSIENT_CODES.has(statusCode)) return { kind: 'transient', reason: `${statusCode}: ${message}` };
  return { kind: 'permanent', code: statusCode, reason: message };
}

/**
 * True when a failed call surely changed nothing: the connection was never made, or Salesforce said it is
 * unavailable (503, maintenance or overload). A create that failed any other way (a reset socket, a
 * timeout, a 500) may have been saved, and sending it again would create the records twice.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export function surelyNotProcessed(err: unknown): boolean {
  const info = describeError(err);
  if (info.network) return CONNECT_CODES.has(info.network);
  return (
    info.status === 503 || info.errorCode === 'SERVER_UNAVAILABLE' || info.errorCode === 'ERROR_HTTP_503'
  );
}

/** Network failures that happen before a request is sent. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Codes Salesforce documents as momentary: locks, timeouts, maintenance. UNKNOWN_EXCEPTION is the body of
 * an HTTP 500 ("An unexpected error occurred"); jsforce drops the status, so the code is all that says 500.
 */
const TRANSIENT_CODES = new Set([
  'UNKNOWN_EXCEPTION',
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'REQUEST_RUNNING_TOO_LONG',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503',
  'ERROR_HTTP_504',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ErrorInfo {
  errorCode: string;
  message: string;
  status: number | undefined;
  network: string | undefined;
  waitMs: number | undefined;
}

function describeError(err: unknown): ErrorInfo {
  const record = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : String(err);
  const errorCode = typeof record.errorCode === 'string' ? record.errorCode : '';
  const status = typeof record.status === 'number' ? record.status : undefined;
  const waitMs = typeof record.waitMs === 'number' ? record.waitMs : undefined;
  return { errorCode, message, status, network: networkCode(err), waitMs };
}

function networkCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const record = err as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof record.code === 'string' && NETWORK_CODES.has(record.code)) return record.code;
  if (record.name === 'AbortError' || record.name === 'TimeoutError') return String(record.name);
  return networkCode(record.cause, depth + 1);
}
