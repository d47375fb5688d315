import type { Redis } from 'ioredis';
import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { TenantConfig } from '../../src/config/tenant-schema.ts';
import { durationMs } from '../../src/domain/duration.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { ApiCallRecorder } from '../../src/metrics/api-calls.ts';
import type { SecretBox } from '../../src/store/secret-box.ts';
import type {
  Connector,
  PollCursor,
  RecordPatch,
  RemoveOutcome,
  SetupCheck,
  WriteOutcome,
} from '../types.ts';
import { ApiBudget } from './budget.ts';
import { MemoryBudgetStore, RedisBudgetStore, type BudgetStore } from './budget-store.ts';
import { SalesforceClient } from './client.ts';
import { findByEmail, type EmailMatch } from './email-match.ts';
import { salesforceMapping, type SalesforceMapping } from './mapping.ts';
import { OrgMetadataReader } from './org-metadata.ts';
import { LeadPoller, type LeadPollOptions, type SalesforcePollPage } from './poller.ts';
import { readRecordStates, type RecordState } from './record-states.ts';
import { RecordReader, type SalesforceRecord } from './records.ts';
import type { RetryOptions } from './retry.ts';
import { MemorySeenStore, RedisSeenStore, type SeenStore } from './seen-store.ts';
import { checkSalesforceSetup } from './setup-check.ts';
import { MemoryTokenStore, RedisTokenStore, type TokenStore } from './token-store.ts';
import { LeadWriter } from './writer.ts';

export interface SalesforceConnectorOptions {
  config: LeadBridgeConfig;
  tenant: TenantConfig;
  /** Counts every API call by endpoint and status (the server passes its Metrics). */
  recorder?: ApiCallRecorder;
  /** Shared state (sessions, budget, poll de-duplication); without it the state is per process. */
  redis?: Redis;
  /** Prefix of every Redis key this connector writes, e.g. `leadbridge:`. */
  keyPrefix?: string;
  /** Seals the tokens stored in Redis (LEADBRIDGE_SECRET_KEY). */
  secretBox?: SecretBox;
  /** Overrides for the stores (tests). */
  stores?: { tokens?: TokenStore; budget?: BudgetStore; seen?: SeenStore };
  logger?: Logger;
  /** Rows per poll page (default `POLL_PAGE_SIZE`, 2,000). */
  pageSize?: number;
  retry?: RetryOptions;
  /** Clock for the budget, in epoch milliseconds. */
  now?: () => number;
}

/**
 * The Salesforce side of the `Connector` contract. Every operation first asks the tenant's API budget
 * whether new work may start, so a tenant over its share (or paused by REQUEST_LIMIT_EXCEEDED) gets a
 * RateLimitedError before any call is made.
 *
 * Beyond the contract, records are `SalesforceRecord`s: `leadId`, `objectType`, `modifiedByUs` and the
 * converted `opportunity`, so the engine can move a link from a converted Lead to its Contact and drop
 * our own echoes.
 */
export class SalesforceConnector implements Connector {
  readonly system = 'salesforce' as const;
  readonly tenant: string;
  readonly client: SalesforceClient;
  readonly mapping: SalesforceMapping;
  private readonly reader: RecordReader;
  private readonly poller: LeadPoller;
  private readonly writer: LeadWriter;
  private readonly share: number;
  private readonly orgId: string;
  private readonly metadata: OrgMetadataReader;

  constructor(options: SalesforceConnectorOptions) {
    const { config, tenant, redis } = options;
    const prefix = options.keyPrefix ?? 'leadbridge:';
    this.tenant = tenant.id;
    this.share = tenant.salesforce.apiBudgetShare;
    this.orgId = tenant.salesforce.orgId;
    this.mapping = salesforceMapping(config);
    const budget = new ApiBudget({
      tenant: tenant.id,
      share: this.share,
      store:
        options.stores?.budget ?? (redis ? new RedisBudgetStore(redis, prefix) : new MemoryBudgetStore()),
      ...(options.now ? { now: options.now } : {}),
    });
    this.client = new SalesforceClient({
      tenant: tenant.id,
      config: tenant.salesforce,
      budget,
      tokenStore:
        options.stores?.tokens ??
        (redis ? new RedisTokenStore(redis, prefix, options.secretBox) : new MemoryTokenStore()),
      ...(options.recorder ? { recorder: options.recorder } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.metadata = new OrgMetadataReader(this.client);
    this.reader = new RecordReader(this.client, this.mapping, this.metadata);
    this.poller = new LeadPoller({
      tenant: tenant.id,
      client: this.client,
      reader: this.reader,
      seen: options.stores?.seen ?? (redis ? new RedisSeenStore(redis, prefix) : new MemorySeenStore()),
      overlapMs: durationMs(config.sync.pollOverlap),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
    this.writer = new LeadWriter({
      client: this.client,
      reader: this.reader,
      mapping: this.mapping,
      convertedStatuses: () => this.loadConvertedStatuses(),
      autoAssign: tenant.owners.strategy === 'salesforce_assignment_rules',
      ...(options.retry?.sleep ? { sleep: options.retry.sleep } : {}),
      ...(options.retry?.random ? { random: options.retry.random } : {}),
    });
  }

  /**
   * Reads Leads or converted Contacts by id (`00Q…` or `003…`). A converted Lead comes back as its
   * Contact, with the stage its Opportunity implies.
   */
  async read(ids: string[]): Promise<SalesforceRecord[]> {
    await this.client.beforeWork();
    const userId = await this.client.integrationUserId();
    const leadIds = ids.filter((id) => !id.startsWith('003'));
    const contactIds = ids.filter((id) => id.startsWith('003'));
    const leadRows = leadIds.length > 0 ? await this.reader.readLeads(leadIds) : [];
    const byContact = contactIds.length > 0 ? await this.reader.leadsByContact(contactIds) : new Map();
    const rows = [...leadRows, ...byContact.values()];
    const records = await this.reader.fromLeadRows(
      rows.filter((row) => !row.IsDeleted),
      userId,
    );
    const unique = new Map(records.map((record) => [record.id, record]));
    return [...unique.values()];
  }

  /**
   * The Leads (converted ones too) and Contacts that already hold one of `emails`, however its case or
   * spacing differs: what the engine looks at before it creates a Lead, so a person already in
   * Salesforce is linked instead of getting a second Lead. One call per 400 emails.
   */
  async findByEmail(emails: string[]): Promise<EmailMatch[]> {
    if (emails.length === 0) return [];
    await this.client.beforeWork();
    const emailField = this.mapping.fields.find((field) => field.canonical === 'email')?.salesforce;
    return findByEmail(this.client, emails, emailField);
  }

  /** Whether each Lead or Contact is live, deleted or converted, from the API (queryAll); unknown ids are absent. */
  async recordStates(ids: string[]): Promise<Map<string, RecordState>> {
    await this.client.beforeWork();
    return readRecordStates(this.client, ids);
  }

  async write(patches: RecordPatch[]): Promise<WriteOutcome[]> {
    if (patches.length === 0) return [];
    await this.client.beforeWork();
    return this.writer.write(patches);
  }

  /** Deletes Leads (`00Q…`) and converted Contacts (`003…`), ≤200 per call; already deleted is done. */
  async remove(ids: string[]): Promise<RemoveOutcome[]> {
    if (ids.length === 0) return [];
    await this.client.beforeWork();
    const outcomes: RemoveOutcome[] = [];
    for (const type of ['Lead', 'Contact'] as const) {
      const part = ids.filter((id) => id.startsWith(type === 'Lead' ? '00Q' : '003'));
      if (part.length === 0) continue;
      const results = await this.client.destroy(type, part);
      part.forEach((id, i) => {
        const result = results[i];
        const codes = result?.errors.map((error) => error.statusCode) ?? ['NO_RESULT'];
        if (result?.success || codes.includes('ENTITY_IS_DELETED')) outcomes.push({ id, ok: true });
        else
          outcomes.push({
            id,
            ok: false,
            error: result?.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? 'no result',
          });
      });
    }
    return outcomes;
  }

  async poll(cursor: PollCursor | null, now: Date, options?: LeadPollOptions): Promise<SalesforcePollPage> {
    await this.client.beforeWork();
    return this.poller.poll(cursor, now, options);
  }

  checkSetup(): Promise<SetupCheck[]> {
    return checkSalesforceSetup(this.client, this.mapping, this.share, this.orgId);
  }

  /** The integration user's id: changes whose LastModifiedById is this one are our own. */
  integrationUserId(): Promise<string> {
    return this.client.integrationUserId();
  }

  private async loadConvertedStatuses(): Promise<ReadonlySet<string>> {
    const { leadStatuses } = await this.metadata.get();
    return new Set(leadStatuses.filter((row) => row.IsConverted).map((row) => row.ApiName));
  }
}

/** One connector per tenant of the config, keyed by tenant id. */
export function createSalesforceConnectors(
  config: LeadBridgeConfig,
  shared: Omit<SalesforceConnectorOptions, 'config' | 'tenant'> = {},
): Map<string, SalesforceConnector> {
  return new Map(
    config.tenants.map((tenant) => [tenant.id, new SalesforceConnector({ ...shared, config, tenant })]),
  );
}
