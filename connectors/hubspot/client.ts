import { Client } from '@hubspot/api-client';
import type { FilterGroup } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import type { z } from 'zod';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import { ignoreApiCalls } from '../../src/metrics/api-calls.ts';
import { labelUntypedErrorAnswers } from './sdk-middleware.ts';
import { ApiCaller, type HttpInfoLike } from './api-call.ts';
import { DEFAULT_HUBSPOT_API_VERSION, hubspotPaths, type HubSpotPaths } from './api-version.ts';
import { expiredAuthentication } from './classify.ts';
import { sendJson, type JsonRequest } from './http.ts';
import { staticToken, type HubSpotAuth } from './oauth-session.ts';
import { BATCH_MAX_INPUTS, LIST_PAGE_MAX, SEARCH_PAGE_MAX } from './limits.ts';
import { openGate, type CallKind, type RateGate } from './rate-gate.ts';
import {
  WireBatchAnswer,
  WirePage,
  type HubSpotContact,
  type WireBatchError,
  type WireObject,
} from './schemas.ts';

export interface HubSpotClientOptions {
  tenant: string;
  /** A private-app token; or `auth` for tokens that expire. */
  accessToken?: string;
  /** Where each call's bearer token comes from (a public app's OAuth session); default `accessToken`. */
  auth?: HubSpotAuth;
  /** API base URL without a trailing slash, e.g. `https://api.hubapi.com` or an emulator's URL. */
  baseUrl: string;
  /** `v3` or a dated version such as `2026-09` (default {@link DEFAULT_HUBSPOT_API_VERSION}). */
  apiVersion?: string;
  /** Shared admission control; default none (unit tests). */
  gate?: RateGate;
  /** Where every call is counted by endpoint and status. */
  recorder?: ApiCallRecorder;
  /** Longest 429 wait (milliseconds) waited out in place before throwing RateLimitedError. */
  maxInlineWaitMs?: number;
  /** Longest one API call may take, in milliseconds, before it fails as transient (default 30 s). */
  requestTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** One per-record failure inside a batch answer (207 Multi-Status). */
export interface BatchRecordError {
  /** Ids (or emails, for upserts) the error names in its context, if any. */
  ids: string[];
  category: string;
  message: string;
}

export interface BatchResult<T> {
  results: T[];
  errors: BatchRecordError[];
}

export interface UpsertedContact extends HubSpotContact {
  created: boolean;
}

export interface SearchPage {
  results: HubSpotContact[];
  total: number;
  /** `paging.next.after`, when there is a next page. */
  after: string | undefined;
}

export interface SearchRequest {
  filterGroups: FilterGroup[];
  /**
   * One sort (the API honours only one): a property name for ascending, `-name` for descending, the
   * string form the OpenAPI spec and the SDK README document.
   */
  sorts: [string];
  properties: string[];
  limit: number;
  after?: string;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function toContact(object: WireObject): HubSpotContact {
  return {
    id: object.id,
    properties: { ...object.properties },
    createdAt: new Date(object.createdAt).toISOString(),
    updatedAt: new Date(object.updatedAt).toISOString(),
  };
}

function recordErrors(errors: Array<z.infer<typeof WireBatchError>> | undefined): BatchRecordError[] {
  return (errors ?? []).map((error) => ({
    ids: Object.values(error.context ?? {}).flat(),
    category: error.category,
    message: error.message,
  }));
}

/** An answer that does not have the shape we rely on: permanent, with the path that gave it. */
function parsed<S extends z.ZodType>(schema: S, data: unknown, endpoint: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success)
    throw new PermanentError(
      `HubSpot ${endpoint}: unexpected answer (${result.error.issues[0]?.message ?? 'invalid'})`,
      'UNEXPECTED_RESPONSE',
    );
  return result.data;
}

/**
 * The contacts API of one tenant, at the tenant's API version (`hubspot.apiVersion`). Requests go
 * through `@hubspot/api-client`'s generic `apiRequest` (see http.ts for why), with the SDK's own retries
 * and limiter off so that our policy (shared rate gate, classified errors) is the one in force.
 * `apiRequest` applies the process-wide decorator singleton that every `new Client()` resets; ours
 * installs none, and LeadBridge builds no client that does.
 */
export class HubSpotClient {
  readonly tenant: string;
  readonly caller: ApiCaller;
  readonly sdk: Client;
  readonly paths: HubSpotPaths;
  readonly #auth: HubSpotAuth;
  /** The bearer token the SDK client holds. */
  #sdkToken: string | undefined;

  constructor(options: HubSpotClientOptions) {
    this.tenant = options.tenant;
    this.paths = hubspotPaths(options.apiVersion ?? DEFAULT_HUBSPOT_API_VERSION);
    if (!options.auth && !options.accessToken) throw new Error('a HubSpot client needs accessToken or auth');
    this.#auth = options.auth ?? staticToken(options.accessToken!);
    this.#sdkToken = options.accessToken;
    this.sdk = new Client({
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      basePath: options.baseUrl.replace(/\/+$/, ''),
      numberOfApiCallRetries: 0,
      middleware: [labelUntypedErrorAnswers],
    });
    this.caller = new ApiCaller({
      tenant: options.tenant,
      gate: options.gate ?? openGate,
      recorder: options.recorder ?? ignoreApiCalls,
      ...(options.maxInlineWaitMs === undefined ? {} : { maxInlineWaitMs: options.maxInlineWaitMs }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  }

  /**
   * One JSON call at this client's version, admitted, counted and classified by the caller. `endpoint`
   * names the route template for metrics, e.g. `POST /crm/objects/2026-09/contacts/batch/read`.
   */
  request<T = unknown>(
    request: JsonRequest,
    kind: CallKind = 'standard',
    endpoint = `${request.method} ${request.path}`,
  ): Promise<{ httpStatusCode: number; data: T }> {
    return this.call(endpoint, kind, (sdk) => sendJson<T>(sdk, request));
  }

  /**
   * One call through the SDK (`send` gets it with this call's bearer token set; reach its API classes
   * inside `send`, as `setAccessToken` makes them anew), admitted, counted and classified by the caller.
   * A 401 that says the token expired gets a refreshed token and one more try.
   */
  async call<T>(
    endpoint: string,
    kind: CallKind,
    send: (sdk: Client) => Promise<HttpInfoLike<T>>,
  ): Promise<HttpInfoLike<T>> {
    const token = await this.#auth.token();
    try {
      return await this.#send(token, endpoint, kind, send);
    } catch (err) {
      // An OAuth access token ran out before its time (or another process's refresh superseded it).
      if (!expiredAuthentication(err)) throw err;
      const fresh = await this.#auth.renew(token);
      if (fresh === token) throw err;
      return this.#send(fresh, endpoint, kind, send);
    }
  }

  #send<T>(
    token: string,
    endpoint: string,
    kind: CallKind,
    send: (sdk: Client) => Promise<HttpInfoLike<T>>,
  ): Promise<HttpInfoLike<T>> {
    return this.caller.call(endpoint, kind, () => {
      // The SDK reads its token when the request is built, in this same synchronous step.
      if (this.#sdkToken !== token) {
        this.sdk.setAccessToken(token);
        this.#sdkToken = token;
      }
      return send(this.sdk);
    });
  }

  /** Batch read by record id, 100 per call; ids HubSpot no longer has are left out. */
  batchRead(ids: string[], properties: string[]): Promise<BatchResult<HubSpotContact>> {
    // https://developers.hubspot.com/docs/api/crm/contacts#retrieve-contacts (batch read, 100 inputs)
    return this.#batched('batch/read', ids, toContact, (ids100) => ({
      inputs: ids100.map((id) => ({ id })),
      properties,
      propertiesWithHistory: [],
    }));
  }

  /** One call per 100 inputs to `contacts/<action>`; each answer's results mapped and its per-record errors (207) kept. */
  async #batched<I, R>(
    action: string,
    inputs: I[],
    map: (object: WireObject) => R,
    body: (inputs100: I[]) => unknown,
  ): Promise<BatchResult<R>> {
    const path = `${this.paths.contacts}/${action}`;
    const out: BatchResult<R> = { results: [], errors: [] };
    for (const inputs100 of chunk(inputs, BATCH_MAX_INPUTS)) {
      const { data } = await this.request({ method: 'POST', path, body: body(inputs100) });
      const answer = parsed(WireBatchAnswer, data, `POST ${path}`);
      out.results.push(...answer.results.map(map));
      out.errors.push(...recordErrors(answer.errors));
    }
    return out;
  }

  /**
   * Create-or-update keyed by email, 100 per call. Never search-then-create: two workers doing that for
   * one new lead race into HubSpot's 409 "Contact already exists".
   * https://developers.hubspot.com/docs/api/crm/contacts#create-or-update-contacts (batch upsert)
   */
  batchUpsertByEmail(
    inputs: Array<{ email: string; properties: Record<string, string> }>,
  ): Promise<BatchResult<UpsertedContact>> {
    return this.#batched(
      'batch/upsert',
      inputs,
      (object) => ({ ...toContact(object), created: object.new ?? false }),
      (inputs100) => ({
        inputs: inputs100.map((input) => ({
          id: input.email,
          idProperty: 'email',
          properties: input.properties,
        })),
      }),
    );
  }

  /**
   * Archives (deletes) contacts by id, 100 per call; HubSpot answers 204 for ids already archived or
   * unknown, so a repeat is harmless.
   * https://developers.hubspot.com/docs/api/crm/contacts (batch archive: POST /crm/v3/objects/contacts/batch/archive)
   */
  async batchArchive(ids: string[]): Promise<void> {
    const path = `${this.paths.contacts}/batch/archive`;
    for (const ids100 of chunk(ids, BATCH_MAX_INPUTS)) {
      await this.request({ method: 'POST', path, body: { inputs: ids100.map((id) => ({ id })) } });
    }
  }

  /** Update linked contacts by record id, 100 per call. https://developers.hubspot.com/docs/api/crm/contacts (batch update) */
  batchUpdate(
    inputs: Array<{ id: string; properties: Record<string, string> }>,
  ): Promise<BatchResult<HubSpotContact>> {
    return this.#batched('batch/update', inputs, toContact, (inputs100) => ({ inputs: inputs100 }));
  }

  /**
   * Moves contacts' `lifecyclestage` backwards: HubSpot only lets it move forward, so the value is
   * cleared in one call and set in a second (a single batch cannot do both).
   * https://developers.hubspot.com/docs/api/crm/contacts ("you'll first need to clear the record's existing lifecycle stage value")
   */
  async setLifecycleBackward(
    inputs: Array<{ id: string; properties: Record<string, string> }>,
  ): Promise<BatchResult<HubSpotContact>> {
    const cleared = await this.batchUpdate(
      inputs.map((input) => ({ id: input.id, properties: { lifecyclestage: '' } })),
    );
    const failed = new Set(cleared.errors.flatMap((error) => error.ids));
    const set = await this.batchUpdate(inputs.filter((input) => !failed.has(input.id)));
    return { results: set.results, errors: [...cleared.errors, ...set.errors] };
  }

  /** One search page (200 at most; 5 per second per account). https://developers.hubspot.com/docs/api/crm/search */
  async search(request: SearchRequest): Promise<SearchPage> {
    const path = `${this.paths.contacts}/search`;
    const info = await this.request(
      {
        method: 'POST',
        path,
        body: {
          filterGroups: request.filterGroups,
          sorts: request.sorts,
          properties: request.properties,
          limit: Math.min(request.limit, SEARCH_PAGE_MAX),
          after: request.after ?? '0',
        },
      },
      'search',
    );
    const page = parsed(WirePage, info.data, `POST ${path}`);
    return {
      results: page.results.map(toContact),
      total: page.total ?? page.results.length,
      after: page.paging?.next?.after,
    };
  }

  /** One page of the list endpoint, for backfill (100 per page). https://developers.hubspot.com/docs/api/crm/contacts */
  async listPage(
    after: string | undefined,
    properties: string[],
    limit = LIST_PAGE_MAX,
  ): Promise<{ results: HubSpotContact[]; after: string | undefined }> {
    const path = this.paths.contacts;
    const info = await this.request({
      method: 'GET',
      path,
      query: {
        limit: String(Math.min(limit, LIST_PAGE_MAX)),
        after,
        properties: properties.length > 0 ? properties.join(',') : undefined,
        archived: 'false',
      },
    });
    const page = parsed(WirePage, info.data, `GET ${path}`);
    return { results: page.results.map(toContact), after: page.paging?.next?.after };
  }
}
