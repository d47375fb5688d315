import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import { RateLimitedError } from '../../src/errors/rate-limited-error.ts';
import { RateLimitWaitExceeded } from '../../src/store/rate-limiter.ts';
import { toClassifiedError } from './classify.ts';
import type { CallKind, RateGate } from './rate-gate.ts';

export interface ApiCallerOptions {
  tenant: string;
  gate: RateGate;
  recorder: ApiCallRecorder;
  /**
   * A 429 whose wait is at most this long (milliseconds) is waited out here and the call retried;
   * longer waits (a daily limit) are thrown as RateLimitedError for the job queue to hold.
   */
  maxInlineWaitMs?: number;
  /** How many 429s in a row one call waits out before throwing. */
  maxInlineRetries?: number;
  /**
   * Longest one attempt may take, in milliseconds, before it is abandoned as a transient failure
   * (RetryableError): a hung HubSpot must not hang a worker. The SDK takes no abort signal, so the
   * abandoned request is left to the HTTP stack's own timeouts (undici: 300 s) to close.
   */
  requestTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A response as the SDK's `…WithHttpInfo` methods return it. */
export interface HttpInfoLike<T> {
  httpStatusCode: number;
  data: T;
  /** Lower-cased; carries `X-HubSpot-RateLimit-*`, the gate's feedback. */
  headers?: Record<string, string>;
}

/** Default of `requestTimeoutMs`: far above a healthy batch call (HubSpot's own 524 fires at 100 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What an abandoned attempt rejects with; `classify` treats a `TimeoutError` as transient. */
export class RequestTimeoutError extends Error {
  constructor(endpoint: string, ms: number) {
    super(`HubSpot ${endpoint}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `promise`, or a RequestTimeoutError after `ms` milliseconds; the abandoned call is left to run out. */
export function withTimeout<T>(promise: Promise<T>, ms: number, endpoint: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(endpoint, ms)), ms);
  });
  // The losing side's later rejection is expected and must not surface as unhandled.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The lower-cased headers of a failed answer (HubSpotHttpError, the SDK's ApiException). */
function headersOf(err: unknown): Record<string, string> {
  const headers = (err as { headers?: unknown } | null)?.headers;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).map(([name, value]) => [
      name.toLowerCase(),
      String(value),
    ]),
  );
}

function statusOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : 0;
}

/**
 * Every HubSpot call goes through here: admission by the tenant's shared rate gate, one count per
 * attempt by endpoint template and status, errors classified into the three error kinds.
 */
export class ApiCaller {
  readonly #options: Required<Omit<ApiCallerOptions, 'sleep'>> & { sleep: (ms: number) => Promise<void> };

  constructor(options: ApiCallerOptions) {
    this.#options = {
      maxInlineWaitMs: 15_000,
      maxInlineRetries: 3,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
    };
  }

  /** Calls `send` under `endpoint` (a route template such as `POST /crm/v3/objects/contacts/search`). */
  async call<T>(
    endpoint: string,
    kind: CallKind,
    send: () => Promise<HttpInfoLike<T>>,
  ): Promise<HttpInfoLike<T>> {
    const { gate, recorder, tenant } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await gate.acquire(kind);
      } catch (err) {
        if (err instanceof RateLimitWaitExceeded)
          throw new RateLimitedError(`HubSpot ${endpoint}: local budget exhausted`, err.waitMs, 'LOCAL', {
            cause: err,
          });
        throw err;
      }
      try {
        const info = await withTimeout(send(), this.#options.requestTimeoutMs, endpoint);
        recorder.record({ system: 'hubspot', tenant, endpoint, status: info.httpStatusCode });
        // Feedback is best effort: a Redis hiccup here must not fail a call HubSpot already answered.
        if (info.headers) await gate.observe(info.headers).catch(() => {});
        return info;
      } catch (err) {
        recorder.record({ system: 'hubspot', tenant, endpoint, status: statusOf(err) });
        const classified = toClassifiedError(err, endpoint);
        if (!(classified instanceof RateLimitedError)) throw classified;
        const headers = headersOf(err);
        const pause = await gate.rateLimited({
          policy: classified.policy,
          waitMs: classified.waitMs,
          retryAfter: headers['retry-after'] !== undefined,
          headers,
        });
        if (classified.waitMs > this.#options.maxInlineWaitMs || attempt >= this.#options.maxInlineRetries)
          throw classified;
        // The shared gate makes `acquire` wait for the budget that answered 429; an open gate asks us to.
        if (pause > 0) await this.#options.sleep(pause);
      }
    }
  }
}
