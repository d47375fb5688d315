import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
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
