import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import type { WrittenValues } from '../src/store/written-values.ts';

/**
 * True when `event` is LeadBridge's own write coming back (a HubSpot `propertyChange` webhook of a value
 * we set): every property change it stands for set the very value our last write to that record set,
 * and it is stamped no later than that write landed (src/store/written-values.ts). Counted in the
 * tenant's health hash (`leadbridge status`) and in `leadbridge_webhook_events_total{outcome="own_echo"}`.
 *
 * What is never dropped: a person's change to another value (even one made between our write and its
 * echo: its value differs), a change to a property our last write did not set, a change stamped later
 * than our write, and any event without values (polls, deletions, merges, outbound messages). A person
 * who sets again the value we just wrote may be dropped: the record then holds what its base holds, so
 * reconcile would have found nothing to do.
 */
export async function isOwnEcho(
  deps: { written?: WrittenValues; metrics?: Pick<Metrics, 'webhookEvents'> },
  event: ChangeEvent,
  nowMs: number,
): Promise<boolean> {
  if (!deps.written || event.kind !== 'updated' || !event.changedValues?.length) return false;
  const echo = await deps.written.isEcho(
    event.tenant,
    event.system,
    { id: event.objectId, occurredAtMs: Date.parse(event.occurredAt), values: event.changedValues },
    nowMs,
  );
  if (echo) deps.metrics?.webhookEvents.inc({ system: event.system, outcome: 'own_echo' });
  return echo;
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
    if (event.kind !== 'updated' || !event.changedValues?.length) return;
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
          values: event.changedValues ?? [],
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
