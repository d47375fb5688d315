import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { TenantConfig } from '../../src/config/tenant-schema.ts';
import { durationMs } from '../../src/domain/duration.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import type { RedisRateLimiter } from '../../src/store/rate-limiter.ts';
import type {
  Connector,
  PollCursor,
  PollPage,
  RemoveOutcome,
  SetupCheck,
  SystemRecord,
  WriteOutcome,
} from '../types.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import { unsupportedFrom } from './api-version.ts';
import { HubSpotClient } from './client.ts';
import { HubSpotOAuthSession, staticToken, type HubSpotAuth } from './oauth-session.ts';
import { refreshAccessToken } from './oauth-token.ts';
import { memoryHubSpotTokenStore, type HubSpotTokenStore } from './token-store.ts';
import { checkProperties, installProperties, type InstallAction } from './install.ts';
import { checkIngestMode } from './ingest-check.ts';
import { planLeadRecords, syncLeadRecords, type LeadRecordsResult } from './leads-object.ts';
import { checkRequiredProperties } from './required-properties.ts';
import { contactProperties, mergedObjectIds, toCanonical, type MappingConfig } from './mapping.ts';
import { pollContacts } from './poller.ts';
import { cursorFromKeyset } from './poll-window.ts';
import { openGate, redisRateGate } from './rate-gate.ts';
import type { HubSpotContact } from './schemas.ts';
import { writePatches, type HubSpotRecordPatch } from './writer.ts';

export type HubSpotConnectorConfig = MappingConfig & Pick<LeadBridgeConfig, 'sync'>;

export interface HubSpotConnectorDeps {
  /** Shared rate limits across workers; without it calls are not throttled here (tests). */
  limiter?: RedisRateLimiter;
  recorder?: ApiCallRecorder;
  /** Longest 429 wait waited out in place, in milliseconds (longer ones are thrown). */
  maxInlineWaitMs?: number;
  /** Longest one API call may take, in milliseconds, before it fails as transient (default 30 s). */
  requestTimeoutMs?: number;
  /** Where the Leads-object step reports the Lead records it could not write. */
  logger?: Logger;
  /**
   * With `hubspot.oauth`: where the access token is kept for every process and refreshed under a lock
   * (Redis in production); default one of this process.
   */
  tokenStore?: HubSpotTokenStore;
}

/** A private app's token as configured, or a public app's OAuth session. */
function authOf(tenant: TenantConfig, deps: HubSpotConnectorDeps): HubSpotAuth {
  const { oauth, accessToken, baseUrl } = tenant.hubspot;
  if (!oauth) return staticToken(accessToken!);
  return new HubSpotOAuthSession({
    tenant: tenant.id,
    app: oauth,
    store: deps.tokenStore ?? memoryHubSpotTokenStore(),
    exchange: (refreshToken) => refreshAccessToken(baseUrl, oauth, refreshToken, tenant.id),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

function lastModified(contact: HubSpotContact): string {
  const value = contact.properties.lastmodifieddate;
  if (value) {
    const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return contact.updatedAt;
}

/**
 * The HubSpot side of one tenant, as the engine sees it.
 *
 * Known limits:
 * - Deletions are not polled: `poll()` always returns an empty `deletedIds`. HubSpot's search never
 *   returns archived contacts, and the archived list (`GET /crm/v3/objects/contacts?archived=true`)
 *   cannot be filtered by time, so finding recent ones means paging every archived contact each pass.
 *   Deletions, merges and privacy deletions arrive by webhook (`contact.deletion`, `contact.merge`,
 *   `contact.privacyDeletion`); a deletion missed there shows later as an id `read()` no longer returns.
 * - Authentication: a private app's static access token, or a public app's OAuth session
 *   (`hubspot.oauth`), refreshed before it runs out and on an expired-token 401 (see oauth-session.ts).
 */
export class HubSpotConnector implements Connector {
  readonly system = 'hubspot' as const;
  readonly tenant: string;
  readonly client: HubSpotClient;
  readonly #config: HubSpotConnectorConfig;
  readonly #properties: string[];
  readonly #hubspot: TenantConfig['hubspot'];
  readonly #logger: Logger | undefined;
  /** What the Leads-object step did on the last write (undefined when the mode is off). */
  lastLeadRecords: LeadRecordsResult | undefined;

  constructor(tenant: TenantConfig, config: HubSpotConnectorConfig, deps: HubSpotConnectorDeps = {}) {
    this.tenant = tenant.id;
    this.#config = config;
    this.#properties = contactProperties(config);
    this.#hubspot = tenant.hubspot;
    this.#logger = deps.logger;
    this.client = new HubSpotClient({
      tenant: tenant.id,
      auth: authOf(tenant, deps),
      baseUrl: tenant.hubspot.baseUrl,
      apiVersion: tenant.hubspot.apiVersion,
      gate: deps.limiter
        ? redisRateGate(deps.limiter, tenant.id, {
            burstLimitPer10s: tenant.hubspot.burstLimitPer10s,
            margin: tenant.hubspot.rateLimitMargin,
          })
        : openGate,
      ...(deps.recorder ? { recorder: deps.recorder } : {}),
      ...(deps.maxInlineWaitMs === undefined ? {} : { maxInlineWaitMs: deps.maxInlineWaitMs }),
      ...(deps.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: deps.requestTimeoutMs }),
    });
  }

  toRecord(contact: HubSpotContact): SystemRecord {
    const user = contact.properties.hs_updated_by_user_id;
    const ownStage = contact.properties[this.#config.customFields.hubspot.stage];
    const created = contact.properties.createdate;
    const mergedIds = mergedObjectIds(contact.properties.hs_merged_object_ids);
    return {
      id: contact.id,
      lead: toCanonical(contact.properties, this.#config),
      modifiedAt: lastModified(contact),
      ...(created ? { createdAt: created } : {}),
      ...(mergedIds.length > 0 ? { mergedIds } : {}),
      ...(user ? { actor: user } : {}),
      ownStage: ownStage ? ownStage : null,
    };
  }

  /**
   * Batch read by contact id. A merged-away id answers with the surviving contact, whose `id` then
   * differs from the one asked for; the engine re-points its link.
   */
  async read(ids: string[]): Promise<SystemRecord[]> {
    const answer = await this.client.batchRead([...new Set(ids)], this.#properties);
    return answer.results.map((contact) => this.toRecord(contact));
  }

  /** Archives contacts (HubSpot's delete, restorable for 90 days), 100 per call; already gone is done. */
  async remove(ids: string[]): Promise<RemoveOutcome[]> {
    if (ids.length > 0) await this.client.batchArchive(ids);
    return ids.map((id) => ({ id, ok: true }));
  }

  /**
   * Batch write. A patch may carry `previousStage` (the record's stage as last read) so that leaving a
   * side state clears the `hs_lead_status` it set; see {@link HubSpotRecordPatch}.
   */
  async write(patches: HubSpotRecordPatch[]): Promise<WriteOutcome[]> {
    const outcomes = await writePatches(this.client, patches, this.#config);
    if (this.#hubspot.leadsObject.enabled) await this.#writeLeadRecords(patches, outcomes);
    return outcomes;
  }

  /**
   * The Leads-object mode (`hubspot.leadsObject.enabled`), a step after the contact writes and apart from
   * reconcile: the Lead record of each written contact follows its shared stage and rejection reason.
   * A Lead record HubSpot refuses is logged with its contact; the contact outcome stays as written.
   */
  async #writeLeadRecords(patches: HubSpotRecordPatch[], outcomes: WriteOutcome[]): Promise<void> {
    const settings = this.#hubspot.leadsObject;
    const result = await syncLeadRecords(this.client, planLeadRecords(patches, outcomes, settings), settings);
    this.lastLeadRecords = result;
    for (const { contactId, error } of result.errors)
      this.#logger?.warn(
        { tenant: this.tenant, contactId, code: error.code, err: error.message },
        'HubSpot refused the Lead record of a contact',
      );
  }

  /**
   * One page of contacts changed after `cursor`. `deletedIds` is always empty (see the class notes):
   * deletions, merges and privacy deletions arrive by webhook.
   */
  async poll(cursor: PollCursor | null, now: Date): Promise<PollPage> {
    const page = await pollContacts(this.client, cursor, now, {
      properties: this.#properties,
      overlapMs: durationMs(this.#config.sync.pollOverlap),
    });
    return {
      records: page.contacts.map((contact) => this.toRecord(contact)),
      deletedIds: [],
      next: page.next,
      done: page.done,
    };
  }

  /**
   * The poll cursor that covers every change up to `instant` less the poll overlap (search-index lag):
   * where polling resumes after a backfill that started at `instant`.
   */
  pollCursorAt(instant: Date): PollCursor {
    return cursorFromKeyset({
      at: instant.getTime() - durationMs(this.#config.sync.pollOverlap),
      id: '0',
    });
  }

  /** One page of every contact, for the first full sync (list endpoint, 100 per page; `after` null starts). */
  async backfill(after: string | null): Promise<{ records: SystemRecord[]; after: string | null }> {
    const page = await this.client.listPage(after ?? undefined, this.#properties);
    return { records: page.results.map((contact) => this.toRecord(contact)), after: page.after ?? null };
  }

  async checkSetup(): Promise<SetupCheck[]> {
    const version = this.client.paths.version;
    try {
      const checks = await checkProperties(this.client, this.#config);
      checks.push(await checkRequiredProperties(this.client, this.#config));
      checks.push(await checkIngestMode(this.client, this.#hubspot));
      return [
        {
          name: 'hubspot api version',
          ok: true,
          detail: `${version} answers (HubSpot supports it until ${unsupportedFrom(version)})${version === 'v3' ? '; the legacy /crm/v3 paths lose support in September 2027: set hubspot.apiVersion to a dated version such as 2026-09' : ''}`,
        },
        ...checks,
      ];
    } catch (err) {
      if (err instanceof PermanentError && err.status === 404)
        return [
          {
            name: 'hubspot api version',
            ok: false,
            detail: `HubSpot does not serve API version ${version}: ${err.message}`,
            fix: 'set tenants[].hubspot.apiVersion to a released, supported version (e.g. 2026-09), or remove it for the default',
          },
        ];
      return [
        {
          name: 'hubspot api access',
          ok: false,
          detail: (err as Error).message,
          fix:
            err instanceof PermanentError && err.fix
              ? err.fix
              : `check tenants[].hubspot.${this.#hubspot.oauth ? 'oauth' : 'accessToken'} (scopes crm.objects.contacts.read/write, crm.schemas.contacts.read/write) and baseUrl`,
        },
      ];
    }
  }

  /** Creates the `leadbridge` property group and properties that are missing; `dryRun` only reports. */
  install(options: { dryRun: boolean }): Promise<InstallAction[]> {
    return installProperties(this.client, this.#config, options.dryRun);
  }
}
