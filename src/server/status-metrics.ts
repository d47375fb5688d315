import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { RedisBudgetStore } from '../../connectors/salesforce/budget-store.ts';
import { tenantSharding, type EnginePrefixes } from '../../jobs/engine-runtime.ts';
import { PendingRefs } from '../../jobs/pending-refs.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import { overdueLead } from '../domain/overdue.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import { SyncHealth } from '../store/sync-health.ts';
import { scanSyncStates } from '../store/sync-state-scan.ts';

/**
 * Gauges read from Redis at each scrape, matching `leadbridge status`: backlog, last successful poll,
 * webhook echoes dropped, overdue leads and Salesforce API budget left, per tenant. A scrape while Redis is down leaves them out
 * (and logs once) rather than failing `/metrics`.
 */
export function registerStatusGauges(deps: {
  metrics: Metrics;
  redis: Redis;
  config: LeadBridgeConfig;
  prefixes: EnginePrefixes;
  logger: Logger;
  now?: () => Date;
}): void {
  const { redis, config, prefixes, logger } = deps;
  const store = { prefix: prefixes.store };
  const health = new SyncHealth(redis, store);
  const pending = new PendingRefs(redis, { ...store, sharding: tenantSharding(config) });
  const budgets = new RedisBudgetStore(redis, prefixes.connectors);
  const tenants = config.tenants;
  const registers = [deps.metrics.registry];
  const safely = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      logger.debug({ err: error, gauge: what }, 'gauge not collected');
    }
  };

  new Gauge({
    name: 'leadbridge_backlog_records',
    help: 'Records waiting to be reconciled (the pending set), by tenant.',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      await safely('backlog', async () => {
        for (const { id } of tenants) this.set({ tenant: id }, await pending.count(id));
      });
    },
  });
  new Gauge({
    name: 'leadbridge_last_successful_poll_timestamp_seconds',
    help: 'Unix time of the last poll pass that reached the end without an error, by tenant and system.',
    labelNames: ['tenant', 'system'] as const,
    registers,
    async collect() {
      await safely('last poll', async () => {
        for (const { id } of tenants) {
          const polls = await health.lastPolls(id);
          for (const [system, at] of Object.entries(polls))
            this.set({ tenant: id, system }, Math.floor(Date.parse(at) / 1000));
        }
      });
    },
  });
  new Gauge({
    name: 'leadbridge_webhook_echoes_dropped',
    help: "Webhook events of LeadBridge's own writes that ingest dropped since the install began (any worker), by tenant and system.",
    labelNames: ['tenant', 'system'] as const,
    registers,
    async collect() {
      await safely('echoes', async () => {
        for (const { id } of tenants) {
          const dropped = await health.droppedEchoes(id);
          for (const [system, count] of Object.entries(dropped)) this.set({ tenant: id, system }, count);
        }
      });
    },
  });
  new Gauge({
    name: 'leadbridge_overdue_leads',
    help: 'Handed-off leads past their follow-up deadline with no follow-up yet, by tenant.',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      await safely('overdue', async () => {
        const now = deps.now?.() ?? new Date();
        for (const { id } of tenants) {
          let count = 0;
          for await (const batch of scanSyncStates(redis, id, store))
            for (const { leadKey, state } of batch.states)
              if (overdueLead(leadKey, state.timeline, now, config.sla)) count += 1;
          this.set({ tenant: id }, count);
        }
      });
    },
  });
  new Gauge({
    name: 'leadbridge_api_budget_left',
    help: "API calls LeadBridge may still make in the rolling 24 hours (its share of the org's daily limit minus what the org used), by tenant and system.",
    labelNames: ['tenant', 'system'] as const,
    registers,
    async collect() {
      await safely('budget', async () => {
        for (const tenant of tenants) {
          const budget = await budgets.get(tenant.id);
          if (!budget || budget.observedAt === 0) continue;
          const allowed = Math.floor(budget.limit * tenant.salesforce.apiBudgetShare);
          this.set({ tenant: tenant.id, system: 'salesforce' }, Math.max(0, allowed - budget.used));
        }
      });
    },
  });
}
