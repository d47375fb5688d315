import { describe, expect, it } from 'vitest';
import type { StoreChange } from '../../../connectors/hubspot/emulator/store.ts';
import { WebhookDeliverer } from '../../../connectors/hubspot/emulator/webhook-delivery.ts';
import { HubSpotWebhookBatch } from '../../../connectors/hubspot/schemas.ts';
import { toChangeEvents } from '../../../connectors/hubspot/webhook-events.ts';
import { ingestChangeEvent, type IngestDeps } from '../../../jobs/ingest-processor.ts';
import { PendingRefs } from '../../../jobs/pending-refs.ts';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import { buildStatus } from '../../../jobs/status/status-report.ts';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { valueHash } from '../../../src/domain/value-hash.ts';
import { Metrics } from '../../../src/metrics/prometheus.ts';
import { registerStatusGauges } from '../../../src/server/status-metrics.ts';
import { ECHO_CLOCK_SKEW_MS, WrittenValues } from '../../../src/store/written-values.ts';
import {
  createContact,
  editContact,
  emailSequence,
  plainContact,
  TENANT,
  useHarness,
  type Harness,
} from './reconcile-harness.ts';

// Our writes go through the real SDK to the HubSpot emulator; its changes become the notifications HubSpot
// would send (WebhookDeliverer.toEvent), translated as the webhook route does (toChangeEvents) and ingested.

let h: Harness;
let ingest: IngestDeps;
/** Every change the emulator's store made, in order (ours: source INTEGRATION; a person's: CRM_UI). */
const changes: StoreChange[] = [];
const email = emailSequence();
const notifications = new WebhookDeliverer({
  targetUrl: 'http://127.0.0.1:9/unused',
  clientSecret: 'unused',
  portalId: 62515,
  appId: 54321,
});

/** The change events one webhook delivery of `batch` becomes. */
function delivered(batch: StoreChange[], edit?: (event: Record<string, unknown>) => void): ChangeEvent[] {
  const body = batch.map((change) => {
    const event = notifications.toEvent(change);
    edit?.(event);
    return event;
  });
  return toChangeEvents(TENANT, HubSpotWebhookBatch.parse(JSON.parse(JSON.stringify(body)))).events;
}

/** Changes of contact `id` made from index `from` on, by `source`. */
function changesOf(id: string, from: number, source?: StoreChange['source']): StoreChange[] {
  return changes
    .slice(from)
    .filter((change) => change.objectId === id && (!source || change.source === source));
}

async function kept(event: ChangeEvent): Promise<boolean> {
  return (await ingestChangeEvent(ingest, event)).pending;
}

async function droppedCount(): Promise<number> {
  const report = await buildStatus(h.redis, h.deps.config, {
    prefixes: { store: `${h.prefix}:store`, queue: `${h.prefix}:q`, connectors: `${h.prefix}:conn:` },
  });
  return report.tenants[0]!.echoesDropped.hubspot;
}

/** The `/metrics` gauge read from Redis (src/server/status-metrics.ts), registered on a registry of its own. */
async function echoGauge(): Promise<number> {
  const metrics = new Metrics({ collectDefaults: false });
  registerStatusGauges({
    metrics,
    redis: h.redis,
    config: h.deps.config,
    prefixes: { store: `${h.prefix}:store`, queue: `${h.prefix}:q`, connectors: `${h.prefix}:conn:` },
    logger: h.deps.logger,
  });
  const gauge = (await metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === 'leadbridge_webhook_echoes_dropped',
  );
  return Number(
    gauge?.values.find((v) => v.labels.tenant === TENANT && v.labels.system === 'hubspot')?.value ?? -1,
  );
}

async function echoMetric(): Promise<number> {
  const metric = (await h.metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === 'leadbridge_webhook_events_total',
  );
  return Number(metric?.values.find((v) => v.labels.outcome === 'own_echo')?.value ?? 0);
}

/** A contact LeadBridge has reconciled once (its score and stage written); the index of its first change after. */
async function reconciledContact(name: string): Promise<{ id: string; after: number }> {
  const id = await createContact(h.hubspot, { ...plainContact(email(name)), jobtitle: 'Engineer' });
  const before = changes.length;
  const result = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
  expect(result.written.hubspot).toBe(1);
  expect(changesOf(id, before, 'INTEGRATION').length).toBeGreaterThan(0);
  return { id, after: changes.length };
}

describe('ingest drops the webhook echoes of LeadBridge own HubSpot writes, and nothing else', () => {
  useHarness('echo', (started) => {
    h = started;
    h.deps.written = new WrittenValues(h.redis, { prefix: `${h.prefix}:store` });
    const onChange = h.hubspot.store.onChange;
    h.hubspot.store.onChange = (change) => {
      changes.push(change);
      onChange(change);
    };
    ingest = {
      engine: h.deps,
      pending: new PendingRefs(h.redis, { prefix: `${h.prefix}:store` }),
      schedule: async () => {},
    };
  });

  it('drops the echo of our write, counts it in status and the metric', async () => {
    const { id } = await reconciledContact('echo');
    const echo = delivered(changesOf(id, 0, 'INTEGRATION'));
    expect(echo).toHaveLength(1);
    // It carries the hash of each of our property changes, never a value.
    expect([...echo[0]!.changedValueHashes!].sort()).toEqual(
      changesOf(id, 0, 'INTEGRATION')
        .flatMap((change) =>
          change.type === 'propertyChange' ? [valueHash(change.propertyName, change.propertyValue)] : [],
        )
        .sort(),
    );
    expect(JSON.stringify(echo[0])).not.toContain('"changedValues"');
    // Redis keeps the hashes of what we wrote, not the values.
    const buckets = await h.redis.keys(`${h.prefix}:store:*written*`);
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      for (const raw of await h.redis.hvals(bucket))
        expect(raw).toMatch(/^\[\d+,\{"[0-9a-f]{16}":1(,"[0-9a-f]{16}":1)*\}\]$/);
    }
    const [countBefore, metricBefore] = [await droppedCount(), await echoMetric()];
    expect(await kept(echo[0]!)).toBe(false);
    expect(await ingest.pending.count(TENANT)).toBe(0);
    expect(await droppedCount()).toBe(countBefore + 1);
    expect(await echoMetric()).toBe(metricBefore + 1);
    expect(await echoGauge()).toBe(countBefore + 1);
  });

  it("keeps a person's change of a property we never wrote", async () => {
    const { id, after } = await reconciledContact('other-property');
    await editContact(h.hubspot, id, { jobtitle: 'VP Sales' });
    const events = delivered(changesOf(id, after, 'CRM_UI'));
    // A person's change carries no hashes at all: it can never be taken for an echo.
    expect(events[0]!.changedValueHashes).toBeUndefined();
    expect(await kept(events[0]!)).toBe(true);
  });

  it("keeps a person's change to a property we wrote, made between our write and its echo, alone or in the echo's delivery", async () => {
    const { id, after } = await reconciledContact('between');
    const ours = changesOf(id, 0, 'INTEGRATION').filter((change) => change.type === 'propertyChange');
    // Our write set the score (0 for a plain contact); the person sets another one.
    expect(ours.map((change) => (change.type === 'propertyChange' ? change.propertyName : ''))).toContain(
      'leadbridge_score',
    );
    await editContact(h.hubspot, id, { leadbridge_score: '77' });
    const persons = changesOf(id, after, 'CRM_UI');
    expect(persons).toHaveLength(1);
    expect(await kept(delivered(persons)[0]!)).toBe(true);
    // One delivery with our echo and the person's change folds into one event: it is not only an echo.
    const together = delivered([...ours, ...persons]);
    expect(together).toHaveLength(1);
    expect(await kept(together[0]!)).toBe(true);
  });

  it("keeps a person's change back to the value we wrote, stamped within our write's window (A->B->A in HubSpot)", async () => {
    const { id, after } = await reconciledContact('person-same-value');
    const ours = changesOf(id, 0, 'INTEGRATION').find(
      (change) => change.type === 'propertyChange' && change.propertyName === 'leadbridge_score',
    );
    if (ours?.type !== 'propertyChange') throw new Error('our write set no score');
    await editContact(h.hubspot, id, { leadbridge_score: '77' });
    await editContact(h.hubspot, id, { leadbridge_score: ours.propertyValue });
    const back = changesOf(id, after, 'CRM_UI').at(-1);
    expect(back?.type === 'propertyChange' && back.propertyValue).toBe(ours.propertyValue);
    // Stamped as our write landed: only its source tells the person from our echo.
    const events = delivered([back!], (event) => {
      event.occurredAt = ours.at;
    });
    expect(await kept(events[0]!)).toBe(true);
  });

  it('drops our own write of the same value, named by its source INTEGRATION and our app id, and keeps another app', async () => {
    const { id } = await reconciledContact('integration-same-value');
    const ours = changesOf(id, 0, 'INTEGRATION').filter((change) => change.type === 'propertyChange');
    const other = delivered(ours, (event) => {
      event.sourceId = '99999';
    });
    expect(await kept(other[0]!)).toBe(true);
    const echo = delivered(ours, (event) => {
      expect(event).toMatchObject({ changeSource: 'INTEGRATION', sourceId: String(event.appId) });
    });
    expect(await kept(echo[0]!)).toBe(false);
  });

  it('keeps a change to the value we wrote when it is stamped later than our write (a person setting it again)', async () => {
    const { id } = await reconciledContact('later');
    const ours = changesOf(id, 0, 'INTEGRATION');
    const later = delivered(ours, (event) => {
      event.occurredAt = (event.occurredAt as number) + ECHO_CLOCK_SKEW_MS + 60_000;
    });
    expect(await kept(later[0]!)).toBe(true);
    // The same delivery stamped when our write landed is the echo.
    expect(await kept(delivered(ours)[0]!)).toBe(false);
  });

  it('keeps events without values: a property change that names no value, a creation, and a record never written', async () => {
    const { id } = await reconciledContact('no-values');
    const valueless = delivered(changesOf(id, 0, 'INTEGRATION'), (event) => {
      delete event.propertyValue;
    });
    expect(valueless[0]!.changedValueHashes).toBeUndefined();
    expect(await kept(valueless[0]!)).toBe(true);
    const creation = delivered(changesOf(id, 0).filter((change) => change.type === 'creation'));
    expect(creation[0]!.kind).toBe('created');
    expect(await kept(creation[0]!)).toBe(true);
    const stranger = await createContact(h.hubspot, plainContact(email('stranger')));
    const start = changes.length;
    await editContact(h.hubspot, stranger, { jobtitle: 'CTO' });
    expect(await kept(delivered(changesOf(stranger, start))[0]!)).toBe(true);
  });
});
