// The Connection alone: jsforce's index also loads its Bulk, Metadata, Streaming (faye), SOAP, Apex,
// Chatter, Analytics and Tooling APIs, which LeadBridge does not use (about 5 MB of heap per process).
import { Connection } from 'jsforce/lib/connection.js';
import type { TokenResponse } from 'jsforce/lib/oauth2.js';
import type { SalesforceTenantConfig } from '../../src/config/tenant-schema.ts';
import { durationMs } from '../../src/domain/duration.ts';
import type { Logger } from '../../src/log/logger.ts';
import { ignoreApiCalls, type ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import { refreshUnderLock } from '../../src/store/session-store.ts';
import { BudgetExhaustedError, type ApiBudget } from './budget.ts';
import { surelyNotProcessed } from './classify.ts';
import { classifiedError } from './classified-error.ts';
import { chunk } from './chunk.ts';
import { withSavedResults } from './saved-results.ts';
import { instrumentTransport } from './instrument.ts';
import { COLLECTION_MAX_RECORDS, DEFAULT_API_VERSION, QUERY_BATCH_SIZE, RETRIEVE_MAX_IDS } from './limits.ts';
import { withRetry, type RetryOptions } from './retry.ts';
import {
  ApiErrors,
  CompositeResult,
  DescribeResult,
  LeadStatusRow,
  LimitsResponse,
  QueryResult,
  SaveResults,
  UserInfo,
  type SaveResult,
} from './schemas.ts';
import {
  appFingerprint,
  MemoryTokenStore,
  tokenFingerprint,
  type StoredSession,
  type TokenStore,
} from './token-store.ts';

export type SfRecord = Record<string, unknown>;

export interface SalesforceClientOptions {
  tenant: string;
  config: SalesforceTenantConfig;
  budget: ApiBudget;
  /** Where every HTTP call is counted by endpoint template and status. */
  recorder?: ApiCallRecorder;
  /**
   * Keeps refreshed sessions for the tenant and their single-flight lock (Redis in production, shared by
   * `start`, `worker`, `install` and `doctor`).
   */
  tokenStore?: TokenStore;
  logger?: Logger;
  /** Sleep and jitter of our own POST/PATCH retry policy (tests pass instant ones). */
  retry?: RetryOptions;
  /** Clock in epoch milliseconds (tests move time); dates sessions and the refresh heartbeat. */
  now?: () => number;
}

/**
 * How long a refusal of a refresh token (`invalid_grant`, `invalid_client`, `unauthorized_client`) is
 * answered from memory, in milliseconds: long enough that recovery jobs (every 10 s, per shard) do not
 * ask the token endpoint again, short enough that a token restored on the org's side is used on its own.
 */
export const TOKEN_REFUSAL_HOLD_MS = 5 * 60_000;

/**
 * The tenant's Salesforce org through jsforce: the refresh-token flow (jsforce refreshes on a 401 and
 * retries once; we keep the new session), SOQL with `nextRecordsUrl` paging, collection reads and writes
 * cut to the API's caps, with our own retry for POST/PATCH, which jsforce never retries.
 */
export class SalesforceClient {
  readonly tenant: string;
  readonly conn: Connection;
  readonly budget: ApiBudget;
  private readonly config: SalesforceTenantConfig;
  private readonly tokenStore: TokenStore;
  /** Issue time of the session this connection holds (0: the configured one). */
  private sessionIssuedAt = 0;
  private readonly logger: Logger | undefined;
  private readonly retry: RetryOptions;
  private userId: string | undefined;
  private ready: Promise<void> | undefined;
  private readonly now: () => number;
  /**
   * The token endpoint's last refusal of a refresh token, answered from memory until `until` (epoch ms):
   * no retry fixes a revoked token before an admin acts, and every job of the tenant would ask again.
   */
  private refused: { refreshToken: string; error: Error; until: number } | null = null;
  /** When this client started holding a session of unknown age (a configured access token). */
  private readonly startedAt: number;

  constructor(options: SalesforceClientOptions) {
    const { config } = options;
    this.tenant = options.tenant;
    this.config = config;
    this.budget = options.budget;
    this.tokenStore = options.tokenStore ?? new MemoryTokenStore();
    this.logger = options.logger;
    this.retry = options.retry ?? {};
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    // https://jsforce.github.io/document/#connection (Connection config; refresh needs oauth2.clientId)
    this.conn = new Connection({
      version: config.apiVersion ?? DEFAULT_API_VERSION,
      loginUrl: config.loginUrl,
      ...(config.instanceUrl ? { instanceUrl: config.instanceUrl } : {}),
      ...(config.accessToken ? { accessToken: config.accessToken } : {}),
      ...(config.refreshToken ? { refreshToken: config.refreshToken } : {}),
      ...(config.clientId
        ? {
            oauth2: {
              loginUrl: config.loginUrl,
              clientId: config.clientId,
              ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
            },
          }
        : {}),
      // Sent as `Sforce-Call-Options: client=<name>` so change events and audits show our writes.
      callOptions: { client: config.clientName },
      // Our own refresh: single-flight per org across processes, the rotated refresh token kept.
      ...(config.clientId && config.refreshToken
        ? {
            refreshFn: (
              _conn: unknown,
              callback: (err: Error | null | undefined, token?: string, res?: TokenResponse) => void,
            ) => {
              this.refreshSession().then(
                ({ accessToken, response }) =>
                  callback(undefined, accessToken, response as unknown as TokenResponse),
                (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
              );
            },
          }
        : {}),
    });
    liveClients(this.tokenStore, this.tenant).add(new WeakRef(this));
    const recorder = options.recorder ?? ignoreApiCalls;
    const observe = { tenant: this.tenant, recorder, budget: this.budget };
    instrumentTransport(this.conn._transport, observe);
    instrumentTransport(this.conn.oauth2._transport, observe);
    this.conn.on('refresh', (accessToken: string, response: Record<string, unknown>) => {
      this.onRefresh(accessToken, response);
    });
  }

  /** Reuses a session another worker refreshed; refreshes first when there is no access token at all. */
  init(): Promise<void> {
    // A failed start (token endpoint down, store unreachable) must not stick: the next unit of work tries again.
    this.ready ??= this.establish().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async establish(): Promise<void> {
    if (this.config.refreshToken) {
      const stored = this.usable(await this.tokenStore.load(this.tenant));
      // A session from other app credentials is refreshed below (with its refresh token), not reused.
      if (stored && this.sameApp(stored)) this.adopt(stored);
    }
    if (!this.conn.accessToken) {
      const delegate = this.conn._refreshDelegate;
      if (!delegate) throw new Error('no Salesforce access token and no way to refresh one');
      try {
        await delegate.refresh(Date.now());
      } catch (err) {
        throw classifiedError(err, 'Salesforce token refresh');
      }
    }
  }

  private onRefresh(_accessToken: string, response: Record<string, unknown>): void {
    const userId =
      typeof response.id === 'string' ? /\/id\/[^/]+\/([^/?]+)/.exec(response.id)?.[1] : undefined;
    if (userId) this.userId = userId;
  }

  /**
   * A stored session, unless the admin has since configured another refresh token: a session descends
   * from the configured token it was refreshed from, and a newly configured one (say, after revoking a
   * leaked token) wins over everything stored. Sessions stored before fingerprints are kept.
   */
  private usable(stored: StoredSession | null): StoredSession | null {
    if (!stored) return null;
    const configured = tokenFingerprint(this.config.refreshToken);
    if (stored.configuredFingerprint !== undefined && stored.configuredFingerprint !== configured) {
      this.logger?.info(
        { tenant: this.tenant },
        'the configured Salesforce refresh token changed: the stored session yields to it',
      );
      return null;
    }
    return stored;
  }

  /**
   * True when the stored session was obtained through the connected app this client is configured with
   * (login URL, client id and secret). Otherwise its access token would hide a wrong client id or secret
   * (or point at another login host) until it expires: one refresh, with the stored refresh token so a
   * rotated one is not lost, lets the token endpoint judge the configured credentials. Sessions stored
   * before the app was recorded are refreshed once too.
   */
  private sameApp(stored: StoredSession): boolean {
    return stored.appFingerprint === appFingerprint(this.config);
  }

  /**
   * The OAuth refresh-token grant. jsforce rewraps a failed refresh as "Unable to refresh session due
   * to: <message>", dropping the OAuth error code; the code is kept in the message so `classify` can tell
   * a revoked token (an admin must act) from a token endpoint that is down (retry).
   */
  private async exchange(refreshToken: string): Promise<Record<string, unknown>> {
    const refused = this.refused;
    if (refused && refused.refreshToken === refreshToken && this.now() < refused.until) throw refused.error;
    try {
      return (await this.conn.oauth2.refreshToken(refreshToken)) as unknown as Record<string, unknown>;
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (/^(invalid_grant|invalid_client|unauthorized_client)/.test(name)) {
        const error = new Error(`${name}: ${(err as Error).message}`, { cause: err });
        this.refused = { refreshToken, error, until: this.now() + TOKEN_REFUSAL_HOLD_MS };
        throw error;
      }
      throw err;
    }
  }

  /** Takes over a session (from the store or another connection's refresh). */
  adopt(session: StoredSession): void {
    this.conn.accessToken = session.accessToken;
    this.conn.instanceUrl = session.instanceUrl;
    if (session.refreshToken) this.conn.refreshToken = session.refreshToken;
    this.sessionIssuedAt = session.issuedAt;
  }

  /**
   * jsforce calls this on a 401 (then retries the call once). Under the tenant's refresh lock: when the
   * store already holds a session newer than ours (another worker refreshed), that one is used and no
   * token is spent; otherwise the refresh token is exchanged, and the new session, with the rotated
   * refresh token, is stored before the lock is released, then handed to every live connection of the
   * tenant in this process. Two processes therefore never spend the same refresh token.
   * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
   */
  private async refreshSession(): Promise<{ accessToken: string; response: Record<string, unknown> }> {
    const held = this.sessionIssuedAt;
    const { session, answer } = await refreshUnderLock(this.tokenStore, this.tenant, {
      usable: (stored) => this.usable(stored),
      serves: (stored) =>
        this.sameApp(stored) && stored.issuedAt > held && stored.accessToken !== this.conn.accessToken,
      issue: async (stored) => {
        const refreshToken = stored?.refreshToken ?? this.conn.refreshToken ?? this.config.refreshToken;
        if (!refreshToken) throw new Error('no refresh token to refresh the Salesforce session with');
        const response = await this.exchange(refreshToken);
        const accessToken = typeof response.access_token === 'string' ? response.access_token : undefined;
        if (!accessToken) throw new Error('the token endpoint answered without an access_token');
        const next: StoredSession = {
          accessToken,
          instanceUrl:
            typeof response.instance_url === 'string' ? response.instance_url : (this.conn.instanceUrl ?? ''),
          refreshToken: typeof response.refresh_token === 'string' ? response.refresh_token : refreshToken,
          issuedAt: Math.max(this.now(), held + 1),
          ...(this.config.refreshToken
            ? { configuredFingerprint: tokenFingerprint(this.config.refreshToken) }
            : {}),
          appFingerprint: appFingerprint(this.config),
        };
        return { session: next, answer: response };
      },
    });
    if (answer) this.logger?.info({ tenant: this.tenant }, 'salesforce session refreshed');
    const outcome = {
      session,
      response: answer ?? ({ instance_url: session.instanceUrl } as Record<string, unknown>),
    };
    for (const ref of liveClients(this.tokenStore, this.tenant)) {
      const client = ref.deref();
      if (client && client.sessionIssuedAt < outcome.session.issuedAt) client.adopt(outcome.session);
    }
    this.adopt(outcome.session);
    return { accessToken: outcome.session.accessToken, response: outcome.response };
  }

  /**
   * Uses the refresh token when the session held is older than `refreshHeartbeat`, although it still
   * works: an org revokes a refresh token left unused for its idle timeout (30 days for apps under Refresh
   * Token Rotation), and a busy integration whose sessions never expire would otherwise only find out at
   * the first expiry after that, locked out until an admin authorises it again. Under the refresh lock, so
   * when another process refreshed first its session is taken and no token is spent.
   * https://help.salesforce.com/s/articleView?id=005316711&type=1
   */
  private async keepRefreshTokenAlive(): Promise<void> {
    const heartbeatMs = durationMs(this.config.refreshHeartbeat);
    if (heartbeatMs === 0 || !this.config.clientId || !this.config.refreshToken) return;
    const heldSince = this.sessionIssuedAt > 0 ? this.sessionIssuedAt : this.startedAt;
    if (this.now() - heldSince < heartbeatMs) return;
    try {
      await this.refreshSession();
    } catch (err) {
      throw classifiedError(err, 'Salesforce token refresh');
    }
  }

  /**
   * Call before starting a unit of work (a poll page, a write batch, a read): throws a
   * BudgetExhaustedError wrapped as RateLimitedError when the tenant's share of the daily limit is used
   * or Salesforce said REQUEST_LIMIT_EXCEEDED. When the last reading is old, one GET /limits re-reads it.
   */
  async beforeWork(): Promise<void> {
    await this.init();
    await this.keepRefreshTokenAlive();
    let decision = await this.budget.decide();
    if (decision.kind === 'probe') {
      await this.limits().catch(() => undefined);
      decision = await this.budget.decide();
      if (decision.kind === 'probe') decision = { kind: 'go' };
    }
    if (decision.kind === 'wait')
      throw classifiedError(new BudgetExhaustedError(decision), 'Salesforce budget');
  }

  /**
   * Runs a SOQL query and follows `nextRecordsUrl` until done. `scanAll` uses queryAll, which also returns
   * deleted (IsDeleted) and archived rows.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
   */
  async query(soql: string, options: { scanAll?: boolean } = {}): Promise<SfRecord[]> {
    await this.init();
    const records: SfRecord[] = [];
    // Ask for the largest page outright rather than rely on the org's default.
    const headers = { 'Sforce-Query-Options': `batchSize=${QUERY_BATCH_SIZE}` };
    try {
      let page = QueryResult.parse(
        await this.conn.query(soql, { scanAll: options.scanAll ?? false, autoFetch: false, headers }),
      );
      records.push(...page.records);
      while (!page.done && page.nextRecordsUrl) {
        page = QueryResult.parse(
          await this.conn.queryMore(page.nextRecordsUrl, {
            headers,
            autoFetch: false,
            scanAll: options.scanAll ?? false,
            maxFetch: QUERY_BATCH_SIZE,
            responseTarget: 'QueryResult',
          }),
        );
        records.push(...page.records);
      }
    } catch (err) {
      throw classifiedError(err, 'Salesforce query');
    }
    return records.map(stripAttributes);
  }

  /**
   * The first batch of a SOQL query only (one call), with what it proves: `done` is true when the batch
   * holds the whole result (`totalSize` counts the whole result, not the batch). `batchSize` is asked
   * with `Sforce-Query-Options` (held to 200..2,000; Salesforce may answer fewer). The cursor of an
   * unfinished result is left open: "a user can have up to 10 query cursors open at a time" and the
   * oldest is released first, so abandoned ones go before any cursor a query of ours is still paging
   * through (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/implementation_considerations.htm).
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
   */
  async queryFirstBatch(
    soql: string,
    options: { scanAll?: boolean; batchSize?: number } = {},
  ): Promise<{ records: SfRecord[]; done: boolean; totalSize: number }> {
    await this.init();
    const batchSize = Math.min(QUERY_BATCH_SIZE, Math.max(200, options.batchSize ?? QUERY_BATCH_SIZE));
    const headers = { 'Sforce-Query-Options': `batchSize=${batchSize}` };
    try {
      const page = QueryResult.parse(
        await this.conn.query(soql, { scanAll: options.scanAll ?? false, autoFetch: false, headers }),
      );
      return { records: page.records.map(stripAttributes), done: page.done, totalSize: page.totalSize };
    } catch (err) {
      throw classifiedError(err, 'Salesforce query');
    }
  }

  /**
   * Reads records by id through sObject Collections (up to 2,000 ids per call); missing or deleted ids
   * are absent from the result. It is a POST, so our retry policy applies.
   */
  async retrieve(type: string, ids: string[], fields: string[]): Promise<SfRecord[]> {
    await this.init();
    const found: SfRecord[] = [];
    for (const part of chunk(ids, RETRIEVE_MAX_IDS)) {
      const rows = await withRetry(
        `Salesforce retrieve ${type}`,
        async () => (await this.conn.retrieve(type, part, { fields })) as unknown as Array<SfRecord | null>,
        this.retry,
      );
      for (const row of rows) if (row) found.push(stripAttributes(row));
    }
    return found;
  }

  /**
   * Collection create, ≤200 per call, allOrNone=false: one SaveResult per record, in order. `headers`
   * adds request headers (e.g. `Sforce-Auto-Assign`).
   */
  create(type: string, records: SfRecord[], headers?: Record<string, string>): Promise<SaveResult[]> {
    return this.save('create', type, records, headers);
  }

  /**
   * Collection update (records carry `Id`), ≤200 per call, allOrNone=false. `type` null: each record
   * names its own in `attributes.type`, and records of several types share a call.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
   */
  update(type: string | null, records: SfRecord[]): Promise<SaveResult[]> {
    return this.save('update', type, records);
  }

  /**
   * Collection upsert on the external-id field `extIdField` (every record carries it), ≤200 per call,
   * allOrNone=false; each result says whether it `created` the record. Idempotent, so retried like an update.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
   */
  upsert(
    type: string,
    extIdField: string,
    records: SfRecord[],
    headers?: Record<string, string>,
  ): Promise<SaveResult[]> {
    return this.save({ op: 'upsert', extIdField }, type, records, headers);
  }

  /**
   * Collection delete, ≤200 ids per call, allOrNone=false: one SaveResult per id, in order. A record
   * already deleted answers ENTITY_IS_DELETED, which the caller may take as done. DELETE is idempotent,
   * so it is retried like a read.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_delete.htm
   */
  async destroy(type: string, ids: string[]): Promise<SaveResult[]> {
    await this.init();
    const results: SaveResult[] = [];
    for (const part of chunk(ids, COLLECTION_MAX_RECORDS)) {
      const raw = await withRetry(
        `Salesforce delete ${type}`,
        () => this.conn.destroy(type, part, { allOrNone: false }),
        this.retry,
      );
      results.push(...SaveResults.parse(raw));
    }
    return results;
  }

  /**
   * Sends `records` in chunks of 200. When a later chunk fails as a whole, the error carries the results
   * of the chunks already saved (`savedResultsOf`), so the caller can keep them.
   */
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
  private async save(
    how: 'create' | 'update' | { op: 'upsert'; extIdField: string },
    type: string | null,
    records: SfRecord[],
    headers?: Record<string, string>,
  ): Promise<SaveResult[]> {
    await this.init();
    const op = typeof how === 'string' ? how : how.op;
    const results: SaveResult[] = [];
    for (const part of chunk(records, COLLECTION_MAX_RECORDS)) {
      let parsed: SaveResult[];
      try {
        const raw = await withRetry(
          `Salesforce ${op} ${type ?? 'records'}`,
          () =>
            typeof how === 'object'
              ? this.conn.upsert(type ?? '', part, how.extIdField, {
                  allOrNone: false,
                  ...(headers ? { headers } : {}),
                })
              : how === 'create'
                ? this.conn.create(type ?? '', part, { allOrNone: false, ...(headers ? { headers } : {}) })
                : // '' lets jsforce take each record's attributes.type.
                  this.conn.update(type ?? '', part as Array<SfRecord & { Id: string }>, {
                    allOrNone: false,
                  }),
          // A create is not idempotent: retry it only when the failed call surely saved nothing.
          how === 'create' ? { ...this.retry, retryIf: surelyNotProcessed } : this.retry,
        );
        parsed = SaveResults.parse(raw);
        if (parsed.length !== part.length) {
          throw classifiedError(
            new Error(`expected ${part.length} save results, got ${parsed.length}`),
            `Salesforce ${op} ${type ?? 'records'}`,
          );
        }
      } catch (err) {
        throw withSavedResults(err, results);
      }
      results.push(...parsed);
    }
    return results;
  }

  /**
   * Several GET requests (paths from the version root, by reference id) in one composite call, which
   * "counts as a single call toward your API limits"; up to 25 subrequests, 5 of them queries. Each
   * answer stands alone: the first that failed throws, classified by its status and error code.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
   */
  async compositeGet(paths: Record<string, string>): Promise<Record<string, unknown>> {
    await this.init();
    const version = `/services/data/v${this.conn.version}`;
    const body = {
      allOrNone: false,
      compositeRequest: Object.entries(paths).map(([referenceId, path]) => ({
        method: 'GET',
        url: `${version}${path}`,
        referenceId,
      })),
    };
    // Only GETs ride in it, so repeating it is safe.
    const raw = await withRetry(
      'Salesforce composite',
      () => this.conn.requestPost('/composite', body),
      this.retry,
    );
    const answers = CompositeResult.parse(raw).compositeResponse;
    const bodies: Record<string, unknown> = {};
    for (const answer of answers) {
      const status = answer.httpStatusCode;
      if (status >= 400) {
        // Shaped as jsforce's errors are (errorCode, status), so `classify` judges it as any other call.
        const first = ApiErrors.safeParse(answer.body).data?.[0];
        const failure = Object.assign(new Error(first?.message ?? `HTTP ${status}`), {
          errorCode: first?.errorCode ?? `ERROR_HTTP_${status}`,
          status,
        });
        throw classifiedError(failure, `Salesforce ${answer.referenceId}`);
      }
      bodies[answer.referenceId] = answer.body;
    }
    return bodies;
  }

  /** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm */
  async describe(type: string): Promise<DescribeResult> {
    await this.init();
    try {
      return DescribeResult.parse(await this.conn.describe(type));
    } catch (err) {
      throw classifiedError(err, `Salesforce describe ${type}`);
    }
  }

  /** The org's real Lead Status picklist. https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm */
  async leadStatuses(): Promise<LeadStatusRow[]> {
    const rows = await this.query('SELECT ApiName, IsConverted, IsDefault FROM LeadStatus');
    return rows.map((row) => LeadStatusRow.parse(row));
  }

  /** https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm */
  async limits(): Promise<LimitsResponse> {
    await this.init();
    try {
      const limits = LimitsResponse.parse(await this.conn.limits());
      const { Max, Remaining } = limits.DailyApiRequests;
      this.budget.observe(Math.max(0, Max - Remaining), Max);
      return limits;
    } catch (err) {
      throw classifiedError(err, 'Salesforce limits');
    }
  }

  /** The integration user's id, so our own edits can be told from a person's. */
  async integrationUserId(): Promise<string> {
    await this.init();
    if (this.userId) return this.userId;
    const fromConn = this.conn.userInfo?.id;
    if (fromConn) return (this.userId = fromConn);
    try {
      // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
      const info = UserInfo.parse(await this.conn.request('/services/oauth2/userinfo'));
      this.userId = info.user_id;
      return info.user_id;
    } catch (err) {
      throw classifiedError(err, 'Salesforce userinfo');
    }
  }

  /** Throws BudgetExhaustedError-derived errors unchanged, anything else classified. */
  static isBudgetError(err: unknown): boolean {
    return err instanceof Error && err.cause instanceof BudgetExhaustedError;
  }
}

/** The live clients of each store and tenant in this process, so a refresh reaches all of them. */
const LIVE = new WeakMap<TokenStore, Map<string, Set<WeakRef<SalesforceClient>>>>();

function liveClients(store: TokenStore, tenant: string): Set<WeakRef<SalesforceClient>> {
  let byTenant = LIVE.get(store);
  if (!byTenant) LIVE.set(store, (byTenant = new Map()));
  let set = byTenant.get(tenant);
  if (!set) byTenant.set(tenant, (set = new Set()));
  for (const ref of set) if (!ref.deref()) set.delete(ref);
  return set;
}

function stripAttributes(record: SfRecord): SfRecord {
  const { attributes: _attributes, ...rest } = record;
  return rest;
}
