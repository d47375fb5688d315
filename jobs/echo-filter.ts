import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import type { WrittenValues } from '../src/store/written-values.ts';

/**
 * True when `event` is LeadBridge's own write coming back (a HubSpot `propertyChange` webhook of a value
 * we set): every property change it stands for was written by an app (connectors/hubspot/webhook-events.ts)
 * and set the very value our last write to that record set, and it is stamped no later than that write
 * landed (src/store/written-values.ts). Counted in the tenant's health hash (`leadbridge status`) and in
 * `leadbridge_webhook_events_total{outcome="own_echo"}`.
 *
 * What is never dropped: a change by a person, a form, an import or another app (even one that sets the
 * value we wrote: A->B->A by a person must reach the other system), a change to another value, a change
 * to a property our last write did not set, a change stamped later than our write, and any event without
 * value hashes (polls, deletions, merges, outbound messages).
 */
export async function isOwnEcho(
  deps: { written?: WrittenValues; metrics?: Pick<Metrics, 'webhookEvents'> },
  event: ChangeEvent,
  nowMs: number,
): Promise<boolean> {
  const [echo] = await ownEchoes(deps, [event], nowMs);
  return echo ?? false;
}

/**
 * `isOwnEcho` for many events: one round trip per tenant and system among them (src/store/written-values.ts),
 * one answer per event, in order.
 */
export async function ownEchoes(
  deps: { written?: WrittenValues; metrics?: Pick<Metrics, 'webhookEvents'> },
  events: ChangeEvent[],
  nowMs: number,
): Promise<boolean[]> {
  const answers = events.map(() => false);
  const { written } = deps;
  if (!written) return answers;
  const groups = new Map<string, number[]>();
  events.forEach((event, index) => {
    if (event.kind !== 'updated' || !event.changedValueHashes?.length) return;
    const group = `${event.tenant}\u0000${event.system}`;
    groups.set(group, [...(groups.get(group) ?? []), index]);
  });
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const { tenant, system } = events[indexes[0]!]!;
      const changes = indexes.map((index) => {
        const event = events[index]!;
        return {
          id: event.objectId,
          occurredAtMs: Date.parse(event.occurredAt),
          valueHashes: event.changedValueHashes ?? [],
        };
      });
      const echoes = await written.echoes(tenant, system, changes, nowMs);
      echoes.forEach((echo, i) => {
        if (!echo) return;
        answers[indexes[i]!] = true;
        deps.metrics?.webhookEvents.inc({ system, outcome: 'own_echo' });
      });
    }),
  );
  return answers;
}
