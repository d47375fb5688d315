import { DEFAULT_API_VERSION } from '../limits.ts';
import { randomBytes } from 'node:crypto';
import { KEY_PREFIX, makeId } from './ids.ts';
import { buildOutboundEnvelope } from './outbound-envelope.ts';
import type { OrgStore } from './store.ts';

export interface OutboundOptions {
  /** Where the workflow's Outbound Message posts (e.g. LeadBridge's /webhooks/salesforce). */
  targetUrl: string;
  /** Lead fields the message carries (the outbound message's field selection). */
  fields?: string[];
  /** First retry delay in ms; doubles up to `maxDelayMs`. Salesforce: exponential up to 2 hours. */
  retryDelayMs?: number;
  maxDelayMs?: number;
  /** Messages older than this are dropped, in ms (Salesforce: 24 hours). */
  maxAgeMs?: number;
}

interface Pending {
  id: string;
  leadId: string;
  queuedAt: number;
  attempts: number;
}

const DEFAULT_FIELDS = [
  'Id',
  'FirstName',
  'LastName',
  'Email',
  'Company',
  'Status',
  'Rejection_Reason__c',
  'IsConverted',
  'IsDeleted',
  'SystemModstamp',
];

/**
 * Sends Outbound Messages when a lead's status changes: up to 100 notifications per message, delivered
 * at least once, retried with exponential backoff until the listener answers the `Ack` envelope or the
 * message is a day old. Data is read at send time: a retry carries the latest values.
 * https://help.salesforce.com/s/articleView?id=sf.workflow_om_considerations.htm
 */
export class OutboundSender {
  private readonly options: Required<Omit<OutboundOptions, 'fields'>> & { fields: string[] };
  private readonly store: OrgStore;
  private readonly baseUrl: () => string;
  private readonly now: () => number;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private sending = false;
  private closed = false;
  readonly actionId = makeId(KEY_PREFIX.WorkflowAction, 1);
  stats = { queued: 0, delivered: 0, attempts: 0, failures: 0, dropped: 0 };
  private counter = 0;

  constructor(store: OrgStore, options: OutboundOptions, baseUrl: () => string, now: () => number) {
    this.store = store;
    this.baseUrl = baseUrl;
    this.now = now;
    this.options = {
      targetUrl: options.targetUrl,
      fields: options.fields ?? DEFAULT_FIELDS,
      retryDelayMs: options.retryDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 2 * 3_600_000,
      maxAgeMs: options.maxAgeMs ?? 24 * 3_600_000,
    };
    this.delayMs = this.options.retryDelayMs;
  }

  /** Queues a notification for a lead and sends soon. */
  notify(leadId: string): string {
    this.counter += 1;
    const id = `${makeId(KEY_PREFIX.Notification, this.counter).slice(0, 12)}${randomBytes(3).toString('hex').toUpperCase()}`;
    this.pending.push({ id, leadId, queuedAt: this.now(), attempts: 0 });
    this.stats.queued += 1;
    this.schedule(0);
    return id;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Sends what is pending now (tests call it instead of waiting for the timer). */
  async flush(): Promise<boolean> {
    if (this.sending || this.closed) return false;
    this.sending = true;
    try {
      const cutoff = this.now() - this.options.maxAgeMs;
      const before = this.pending.length;
      this.pending = this.pending.filter((p) => p.queuedAt >= cutoff);
      this.stats.dropped += before - this.pending.length;
      const batch = this.pending.slice(0, 100);
      if (batch.length === 0) return true;
      const notifications = batch.flatMap((p) => {
        const lead = this.store.get('Lead', p.leadId);
        const fields = lead
          ? Object.fromEntries(this.options.fields.map((name) => [name, lead[name] ?? null]))
          : {};
        return [{ id: p.id, objectType: 'Lead', fields }];
      });
      const body = buildOutboundEnvelope({
        organizationId: this.store.orgId,
        actionId: this.actionId,
        baseUrl: this.baseUrl(),
        apiVersion: DEFAULT_API_VERSION,
        notifications,
      });
      for (const p of batch) p.attempts += 1;
      this.stats.attempts += 1;
      const acked = await this.post(body);
      if (acked) {
        const sent = new Set(batch.map((p) => p.id));
        this.pending = this.pending.filter((p) => !sent.has(p.id));
        this.stats.delivered += batch.length;
        this.delayMs = this.options.retryDelayMs;
        if (this.pending.length > 0) this.schedule(0);
      } else {
        this.stats.failures += 1;
        this.schedule(this.delayMs);
        this.delayMs = Math.min(this.options.maxDelayMs, this.delayMs * 2);
      }
      return acked;
    } finally {
      this.sending = false;
    }
  }

  private async post(body: string): Promise<boolean> {
    try {
      const response = await fetch(this.options.targetUrl, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      return response.ok && /<(\w+:)?Ack>\s*true\s*<\/(\w+:)?Ack>/.test(text);
    } catch {
      return false;
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  reset(): void {
    this.pending = [];
    this.stats = { queued: 0, delivered: 0, attempts: 0, failures: 0, dropped: 0 };
    this.delayMs = this.options.retryDelayMs;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
