import type { Redis } from 'ioredis';
import { foldLedger } from '../src/domain/ledger-fold.ts';
import { openTimers, type OpenTimer } from '../src/domain/ledger-timers.ts';
import { readLedgerIndex } from '../src/store/report-leads.ts';
import type { EngineDeps } from './engine.ts';

/**
 * Schedules every deadline still open in a tenant's ledgers: a safety net at worker start for passes
 * that ran where no timer queue was attached (the demo's initial sync, an older version). Job ids are
 * deterministic, so deadlines already scheduled or fired are not added again. Returns how many were
 * asked for.
 */
export async function sweepTimers(
  engine: Pick<EngineDeps, 'config' | 'timers'>,
  redis: Redis,
  storePrefix: string,
): Promise<number> {
  if (!engine.timers) return 0;
  let scheduled = 0;
  const tenants = engine.config.tenants.map((tenant) => tenant.id);
  for (const { tenant, leads } of await readLedgerIndex(redis, tenants, storePrefix)) {
    const timers: Array<{ leadKey: string; timer: OpenTimer }> = [];
    for (const lead of leads) {
      const state = foldLedger(lead.entries, engine.config.lifecycle.handoffStage);
      // The index leaves reminders out; a reminder re-fired here finds it recorded and does nothing.
      for (const timer of openTimers(state)) timers.push({ leadKey: lead.leadKey, timer });
    }
    await engine.timers.schedule(tenant, timers);
    scheduled += timers.length;
  }
  return scheduled;
}
