import { describe, expect, it } from 'vitest';
import errors from '../../fixtures/hubspot/hubspot-errors.json' with { type: 'json' };
import { classify, DAILY_LIMIT_PROBE_MS, toClassifiedError } from '../../../connectors/hubspot/classify.ts';
import { PermanentError, RateLimitedError, RetryableError } from '../../../src/errors/index.ts';

const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${code}`), { code, body, headers });

describe('classify(err)', () => {
  it('waits out a ten-secondly 429 for the interval the headers give', () => {
    const fixture = errors.rate_limit_429_ten_secondly_constructed;
    const headers = Object.fromEntries(Object.entries(fixture.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(classify(apiError(429, fixture.body, headers))).toEqual({
      kind: 'rate_limited',
      waitMs: 10_000,
      policy: 'TEN_SECONDLY_ROLLING',
    });
    expect(
      classify(apiError(429, fixture.body, { 'x-hubspot-ratelimit-interval-milliseconds': '3000' })),
    ).toMatchObject({ waitMs: 3_000 });
  });

  it('keeps the policy of a 429 whose other fields are not shaped as expected ("treat all fields as optional")', () => {
    const body = {
      ...errors.rate_limit_429_daily_verbatim.body,
      errors: [{ message: 'x', context: { propertyName: 'not-an-array' } }],
      context: 'odd',
    };
    expect(classify(apiError(429, body))).toMatchObject({ policy: 'DAILY' });
    expect(
      classify(apiError(400, { category: 'VALIDATION_ERROR', message: 'bad', errors: 'odd' })),
    ).toMatchObject({ kind: 'permanent', code: 'VALIDATION_ERROR' });
  });

  it('retries a call whose access token expired instead of failing the record for good', () => {
    const expired = apiError(401, {
      status: 'error',
      message: 'The OAuth token used to make this call expired 1 second(s) ago.',
      correlationId: 'c',
      category: 'EXPIRED_AUTHENTICATION',
    });
    expect(classify(expired)).toMatchObject({ kind: 'transient' });
    expect(toClassifiedError(expired, 'batch read')).toBeInstanceOf(RetryableError);
    // A token that is simply wrong stays permanent: no retry fixes it.
    expect(
      classify(
        apiError(401, {
          status: 'error',
          message: 'Authentication credentials not found.',
          category: 'INVALID_AUTHENTICATION',
        }),
      ),
    ).toMatchObject({ kind: 'permanent', code: 'INVALID_AUTHENTICATION' });
  });

  it('probes a daily 429 again after an hour, not at once', () => {
    expect(classify(apiError(429, errors.rate_limit_429_daily_verbatim.body))).toEqual({
      kind: 'rate_limited',
      waitMs: DAILY_LIMIT_PROBE_MS,
      policy: 'DAILY',
    });
  });

  it('waits a second after the search endpoints\u2019 secondly 429, and honours Retry-After when sent', () => {
    expect(
      classify(apiError(429, { status: 'error', message: 'You have reached your secondly limit.' })),
    ).toEqual({ kind: 'rate_limited', waitMs: 1_000, policy: 'SECONDLY' });
    expect(classify(apiError(429, {}, { 'Retry-After': '7' }))).toMatchObject({
      kind: 'rate_limited',
      waitMs: 7_000,
    });
  });

  it('treats 423 Locked as a 2-second wait and 477 by its Retry-After', () => {
    expect(classify(apiError(423, {}))).toEqual({ kind: 'rate_limited', waitMs: 2_000, policy: 'LOCKED' });
    expect(classify(apiError(477, {}, { 'retry-after': '30' }))).toMatchObject({
      waitMs: 30_000,
      policy: 'MIGRATION_IN_PROGRESS',
    });
  });

  it('retries 5xx and network failures', () => {
    expect(classify(apiError(502, 'Bad gateway'))).toEqual({ kind: 'transient', reason: 'HTTP 502' });
    expect(
      classify(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
        }),
      ),
    ).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    expect(classify(new DOMException('timed out', 'TimeoutError'))).toEqual({
      kind: 'transient',
      reason: 'TIMEOUT',
    });
  });

  it('gives up on validation errors with the API\u2019s own code', () => {
    expect(classify(apiError(400, errors.validation_error_verbatim.body))).toEqual({
      kind: 'permanent',
      code: 'INVALID_INTEGER',
      reason: errors.validation_error_verbatim.body.message,
      status: 400,
    });
    expect(
      classify(
        apiError(409, {
          status: 'error',
          message: 'Contact already exists. Existing ID: 5',
          category: 'CONFLICT',
        }),
      ),
    ).toMatchObject({ kind: 'permanent', code: 'CONFLICT', status: 409 });
    expect(classify(new Error('bug'))).toMatchObject({ kind: 'permanent', code: 'UNEXPECTED' });
  });

  it('turns decisions into the error classes that carry them, keeping the cause', () => {
    const limited = toClassifiedError(apiError(429, errors.rate_limit_429_daily_verbatim.body), 'search');
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).waitMs).toBe(DAILY_LIMIT_PROBE_MS);
    expect(toClassifiedError(apiError(503, ''), 'read')).toBeInstanceOf(RetryableError);
    const permanent = toClassifiedError(apiError(400, errors.validation_error_verbatim.body), 'update');
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as PermanentError).cause).toMatchObject({ code: 400 });
  });
});
