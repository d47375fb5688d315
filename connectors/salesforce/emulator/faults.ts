import { z } from 'zod';

/** `POST /__emulator/faults`: conditions the emulator imposes until changed or reset. */
export const Faults = z.strictObject({
  /** Added to every API response, in milliseconds. */
  latencyMs: z.number().int().nonnegative().optional(),
  /** Share (0..1) of API calls answered with `errorStatus` instead of being served. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Status of injected errors: 500 and 503 carry SERVER_UNAVAILABLE-style bodies. */
  errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
  /** Fail exactly the next N API calls with `errorStatus` (deterministic, for tests). */
  failNext: z.number().int().nonnegative().optional(),
  /** Only count calls to paths containing this string for `failNext` (e.g. "composite"). */
  failNextMatching: z.string().optional(),
  /** Let this many matching calls through before `failNext` starts failing (a later chunk fails). */
  failNextAfter: z.number().int().nonnegative().optional(),
  /** The org's daily API allocation. */
  dailyLimit: z.number().int().positive().optional(),
  /** Calls already used in the rolling 24 hours (as if by other integrations). */
  apiUsed: z.number().int().nonnegative().optional(),
  /** Invalidates every session now: the next call with an old token gets 401 INVALID_SESSION_ID. */
  expireSessions: z.boolean().optional(),
  /** Invalidates every session after this many more API calls (a token expiring mid-backfill). */
  expireSessionsAfterCalls: z.number().int().positive().optional(),
  /** Lifetime of tokens issued from now on, in milliseconds. */
  sessionTtlMs: z.number().int().positive().optional(),
  /** Records per query batch before `nextRecordsUrl` (Salesforce: 2,000 by default, 200 minimum). */
  queryBatchSize: z.number().int().positive().optional(),
});
export type Faults = z.infer<typeof Faults>;
