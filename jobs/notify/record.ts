import type { NotificationEntry } from '../../src/store/notification-entry.ts';
import type { EngineDeps } from '../engine.ts';

/** One outcome: in the lead's trail (for `explain`), in the metrics and in the log. */
export async function recordOutcome(
  engine: EngineDeps,
  tenant: string,
  leadKey: string,
  entry: Omit<NotificationEntry, 'type' | 'at'>,
): Promise<void> {
  engine.metrics.notifications.inc({
    tenant,
    event: entry.event,
    channel: entry.channel,
    outcome: entry.outcome,
  });
  const level = entry.outcome === 'failed' || entry.outcome === 'retrying' ? 'warn' : 'info';
  engine.logger[level]({ tenant, leadKey, ...entry }, 'notification');
  await engine.audit.append(tenant, leadKey, {
    type: 'notification',
    at: engine.now().toISOString(),
    ...entry,
  });
}
