import { Client } from '@hubspot/api-client';
import type {
  FilterGroup,
  SimplePublicObject,
  SimplePublicUpsertObject,
  StandardError,
} from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import { ignoreApiCalls } from '../../src/metrics/api-calls.ts';
import { ApiCaller } from './api-call.ts';
import { BATCH_MAX_INPUTS, LIST_PAGE_MAX, SEARCH_PAGE_MAX } from './limits.ts';
import { openGate, type RateGate } from './rate-gate.ts';
import type { HubSpotContact } from './schemas.ts';

export interface HubSpotClientOptions {
  tenant: string;
  accessToken: string;
  /** API base URL without a trailing slash, e.g. `https://api.hubapi.com` or an emulator's URL. */
  baseUrl: string;
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

function toContact(object: SimplePublicObject): HubSpotContact {
  return {
    id: object.id,
    properties: { ...object.properties },
    createdAt: new Date(object.createdAt).toISOString(),
    updatedAt: new Date(object.updatedAt).toISOString(),
  };
}

function recordErrors(errors: StandardError[] | undefined): BatchRecordError[] {
  return (errors ?? []).map((error) => ({
    ids: Object.values(error.context ?? {}).flat(),
    category: error.category,
    message: error.message,
  }));
}

/**
 * The contacts API of one tenant over `@hubspot/api-client`, with the SDK's own retries off so that our
 * policy (shared rate gate, classified errors) is the one in force. One instance per tenant: the SDK's
 * decorators live in a process-wide singleton that every `new Client()` resets, so the API objects are
 * taken right after construction, while the decorators are ours (none).
 */
export class HubSpotClient {
  readonly tenant: string;
  readonly caller: ApiCaller;
  readonly sdk: Client;
  readonly #contacts;
  /** The properties API objects, taken at construction for the same reason as the contacts ones. */
  readonly propertiesApi;

  constructor(options: HubSpotClientOptions) {
    this.tenant = options.tenant;
    this.sdk = new Client({
      accessToken: options.accessToken,
      basePath: options.baseUrl.replace(/\/+$/, ''),
      numberOfApiCallRetries: 0,
    });
    this.#contacts = {
      basic: this.sdk.crm.contacts.basicApi,
      batch: this.sdk.crm.contacts.batchApi,
      search: this.sdk.crm.contacts.searchApi,
    };
    this.propertiesApi = {
      core: this.sdk.crm.properties.coreApi,
      groups: this.sdk.crm.properties.groupsApi,
    };
    this.caller = new ApiCaller({
      tenant: options.tenant,
      gate: options.gate ?? openGate,
      recorder: options.recorder ?? ignoreApiCalls,
      ...(options.maxInlineWaitMs === undefined ? {} : { maxInlineWaitMs: options.maxInlineWaitMs }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  }

  /** Batch read by record id, 100 per call; ids HubSpot no longer has are left out. */
  batchRead(ids: string[], properties: string[]): Promise<BatchResult<HubSpotContact>> {
    // https://developers.hubspot.com/docs/api/crm/contacts#retrieve-contacts (batch read, 100 inputs)
    return this.#batched('POST /crm/v3/objects/contacts/batch/read', ids, toContact, (ids100) =>
      this.#contacts.batch.readWithHttpInfo({
        inputs: ids100.map((id) => ({ id })),
        properties,
        propertiesWithHistory: [],
      }),
    );
  }

  /** One call per 100 inputs; each answer's results mapped and its per-record errors (207) kept. */
  async #batched<I, O extends SimplePublicObject, R>(
    endpoint: string,
    inputs: I[],
    map: (object: O) => R,
    send: (
      inputs100: I[],
    ) => Promise<{ httpStatusCode: number; data: { results: O[]; errors?: StandardError[] } }>,
  ): Promise<BatchResult<R>> {
    const out: BatchResult<R> = { results: [], errors: [] };
    for (const inputs100 of chunk(inputs, BATCH_MAX_INPUTS)) {
      const { data } = await this.caller.call(endpoint, 'standard', () => send(inputs100));
      out.results.push(...data.results.map(map));
      out.errors.push(...recordErrors(data.errors));
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
      'POST /crm/v3/objects/contacts/batch/upsert',
      inputs,
      (object: SimplePublicUpsertObject) => ({ ...toContact(object), created: object._new }),
      (inputs100) =>
        this.#contacts.batch.upsertWithHttpInfo({
          inputs: inputs100.map((input) => ({
            id: input.email,
            idProperty: 'email',
            properties: input.properties,
          })),
        }),
    );
  }

  /** Update linked contacts by record id, 100 per call. https://developers.hubspot.com/docs/api/crm/contacts (batch update) */
  batchUpdate(
    inputs: Array<{ id: string; properties: Record<string, string> }>,
  ): Promise<BatchResult<HubSpotContact>> {
    return this.#batched('POST /crm/v3/objects/contacts/batch/update', inputs, toContact, (inputs100) =>
      this.#contacts.batch.updateWithHttpInfo({ inputs: inputs100 }),
    );
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
    const info = await this.caller.call('POST /crm/v3/objects/contacts/search', 'search', () =>
      this.#contacts.search.doSearchWithHttpInfo({
        filterGroups: request.filterGroups,
        sorts: request.sorts,
        properties: request.properties,
        limit: Math.min(request.limit, SEARCH_PAGE_MAX),
        after: request.after ?? '0',
      }),
    );
    return {
      results: info.data.results.map(toContact),
      total: info.data.total,
      after: info.data.paging?.next?.after,
    };
  }

  /** One page of the list endpoint, for backfill (100 per page). https://developers.hubspot.com/docs/api/crm/contacts */
  async listPage(
    after: string | undefined,
    properties: string[],
    limit = LIST_PAGE_MAX,
  ): Promise<{ results: HubSpotContact[]; after: string | undefined }> {
    const info = await this.caller.call('GET /crm/v3/objects/contacts', 'standard', () =>
      this.#contacts.basic.getPageWithHttpInfo(
        Math.min(limit, LIST_PAGE_MAX),
        after,
        properties,
        undefined,
        undefined,
        false,
      ),
    );
    return { results: info.data.results.map(toContact), after: info.data.paging?.next?.after };
  }
}
