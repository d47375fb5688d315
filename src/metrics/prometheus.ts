import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiCall, ApiCallRecorder } from './api-calls.ts';

/** The process's Prometheus registry and the counters LeadBridge exports. */
export class Metrics implements ApiCallRecorder {
  readonly registry = new Registry();
  readonly apiCalls = new Counter({
    name: 'leadbridge_api_calls_total',
    help: 'Calls to the HubSpot and Salesforce APIs, by tenant, system, endpoint and HTTP status (0: no response).',
    labelNames: ['tenant', 'system', 'endpoint', 'status'] as const,
    registers: [this.registry],
  });
  readonly webhookEvents = new Counter({
    name: 'leadbridge_webhook_events_total',
    help: 'Webhook and outbound-message notifications received, by system and outcome.',
    labelNames: ['system', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly leadsReconciled = new Counter({
    name: 'leadbridge_leads_reconciled_total',
    help: 'Leads reconciled, by tenant and outcome (unchanged: nothing to write; changed: at least one patch written).',
    labelNames: ['tenant', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly patchesWritten = new Counter({
    name: 'leadbridge_patches_written_total',
    help: 'Record patches written, by tenant, system and kind (update or create).',
    labelNames: ['tenant', 'system', 'kind'] as const,
    registers: [this.registry],
  });
  readonly recordFailures = new Counter({
    name: 'leadbridge_record_failures_total',
    help: 'Records that could not be synced, by tenant, system and error code.',
    labelNames: ['tenant', 'system', 'code'] as const,
    registers: [this.registry],
  });
  readonly fieldConflicts = new Counter({
    name: 'leadbridge_field_conflicts_total',
    help: 'Fields changed on both sides since the last sync, settled by the ownership rules, by tenant.',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
  });
  readonly stageChanges = new Counter({
    name: 'leadbridge_stage_changes_total',
    help: 'Shared lifecycle stage changes decided by reconcile, by tenant, target stage and who moved it.',
    labelNames: ['tenant', 'to', 'by'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'leadbridge_notifications_total',
    help: 'Notification deliveries and owner decisions, by tenant, event, channel and outcome (sent, duplicate, retrying, failed, assigned, skipped).',
    labelNames: ['tenant', 'event', 'channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly notificationDelay = new Histogram({
    name: 'leadbridge_notification_delay_seconds',
    help: 'From the transition or timer a notification is about to its delivery, by tenant and channel.',
    labelNames: ['tenant', 'channel'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  constructor(options: { collectDefaults?: boolean } = {}) {
    if (options.collectDefaults ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'leadbridge_' });
  }

  record(call: ApiCall): void {
    this.apiCalls.inc({
      tenant: call.tenant,
      system: call.system,
      endpoint: call.endpoint,
      status: String(call.status),
    });
  }
}
