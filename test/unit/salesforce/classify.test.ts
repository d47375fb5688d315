import { describe, expect, it } from 'vitest';
import { classify, classifyRecordError } from '../../../connectors/salesforce/classify.ts';
import { classifiedError } from '../../../connectors/salesforce/classified-error.ts';
import { BudgetExhaustedError } from '../../../connectors/salesforce/budget.ts';
import { LIMIT_EXCEEDED_PAUSE_MS } from '../../../connectors/salesforce/limits.ts';
import { PermanentError, RateLimitedError, RetryableError } from '../../../src/errors/index.ts';

/** What jsforce throws for an API error: HttpApiError with errorCode as name and the body in data. */
function apiError(errorCode: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), {
    name: errorCode,
    errorCode,
    data: { errorCode, message },
    ...extra,
  });
}

describe('classify (Salesforce)', () => {
  it('retries the UNKNOWN_EXCEPTION body of an HTTP 500, which jsforce throws without its status', () => {
    expect(
      classify(apiError('UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId')),
    ).toMatchObject({ kind: 'transient' });
  });

  it('treats REQUEST_LIMIT_EXCEEDED (daily total) as a long pause, not a retry', () => {
    expect(classify(apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'))).toEqual({
      kind: 'rate_limited',
      waitMs: LIMIT_EXCEEDED_PAUSE_MS,
      policy: 'REQUEST_LIMIT_EXCEEDED',
    });
  });

  it('treats the concurrent-request variant as a short pause', () => {
    const decision = classify(
      apiError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.'),
    );
    expect(decision).toMatchObject({ kind: 'rate_limited', policy: 'CONCURRENT_REQUESTS' });
    expect(decision.kind === 'rate_limited' && decision.waitMs).toBeLessThan(60_000);
  });

  it('passes our own budget stop through with its wait', () => {
    const err = new BudgetExhaustedError({
      kind: 'wait',
      waitMs: 1234,
      reason: 'BUDGET_SHARE',
      used: 80,
      limit: 100,
    });
    expect(classify(err)).toEqual({ kind: 'rate_limited', waitMs: 1234, policy: 'LEADBRIDGE_BUDGET' });
  });

  it('treats an expired session, 5xx and network failures as transient', () => {
    expect(classify(apiError('INVALID_SESSION_ID', 'Session expired or invalid')).kind).toBe('transient');
    expect(classify(apiError('SERVER_UNAVAILABLE', 'down')).kind).toBe('transient');
    expect(classify(apiError('ERROR_HTTP_503', '<html>maintenance</html>')).kind).toBe('transient');
    expect(classify(Object.assign(apiError('UNKNOWN', 'x'), { status: 502 })).kind).toBe('transient');
    const network = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(classify(network)).toEqual({ kind: 'transient', reason: 'network: ECONNREFUSED' });
  });

  it('treats a revoked refresh token as permanent, a failed refresh without OAuth error as transient', () => {
    expect(
      classify(new Error('Unable to refresh session due to: expired access/refresh token (invalid_grant)')),
    ).toMatchObject({
      kind: 'permanent',
      code: 'INVALID_GRANT',
    });
    expect(classify(new Error('Unable to refresh session due to: socket hang up')).kind).toBe('transient');
  });

  it('keeps the Salesforce errorCode of other 4xx as a permanent reason', () => {
    expect(classify(apiError('INVALID_FIELD', "No such column 'Foo__c' on entity 'Lead'."))).toEqual({
      kind: 'permanent',
      code: 'INVALID_FIELD',
      reason: "No such column 'Foo__c' on entity 'Lead'.",
    });
    expect(classify(apiError('MALFORMED_QUERY', 'unexpected token'))).toMatchObject({
      kind: 'permanent',
      code: 'MALFORMED_QUERY',
    });
  });

  it('classifies per-record errors: a row lock is transient, validation is permanent', () => {
    expect(classifyRecordError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access').kind).toBe(
      'transient',
    );
    expect(classifyRecordError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Company]')).toEqual({
      kind: 'permanent',
      code: 'REQUIRED_FIELD_MISSING',
      reason: 'Required fields are missing: [Company]',
    });
  });

  it('wraps errors in the class that carries their policy', () => {
    const limited = classifiedError(
      apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
      'query',
    );
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).policy).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(classifiedError(apiError('SERVER_UNAVAILABLE', 'x'), 'q')).toBeInstanceOf(RetryableError);
    expect(classifiedError(apiError('SERVER_UNAVAILABLE', 'x'), 'q')).not.toBeInstanceOf(RateLimitedError);
    const permanent = classifiedError(apiError('INVALID_FIELD', 'bad'), 'q');
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as PermanentError).code).toBe('INVALID_FIELD');
  });
});
