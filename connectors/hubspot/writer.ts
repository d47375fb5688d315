import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { RecordPatch, WriteOutcome } from '../types.ts';
import { chunk, type BatchResult, type HubSpotClient } from './client.ts';
import { BATCH_MAX_INPUTS } from './limits.ts';
import { fromCanonical, type MappingConfig } from './mapping.ts';
import { withRequiredPropertyFix } from './required-properties.ts';

// Writes never race: new contacts go through batch upsert keyed by email (a 409 "already exists" from a
// racing writer resolves to the existing id, which is then updated), linked ones are updated by id, and
// the explicit backward lifecycle moves take HubSpot's clear-then-set path.

interface Item {
  /** The patches this input carries: several patches to one record are sent as one input. */
  indexes: number[];
  /** Record id (updates) or lower-cased email (upserts). */
  key: string;
  properties: Record<string, string>;
}

/** A patch as the HubSpot writer takes it; `previousStage` is part of the shared `RecordPatch` contract. */
export type HubSpotRecordPatch = RecordPatch;

type Send = (
  items: Item[],
) => Promise<BatchResult<{ id: string; properties: Record<string, string | null>; created?: boolean }>>;

/**
 * Sends `items` in one batch; when HubSpot refuses the whole batch for one bad record (a 400 names no
 * record we can map), halves it until the culprit stands alone, so each record gets its own outcome.
 * Rate limits and transient failures are thrown: the job is retried whole, and writes are idempotent.
 */
async function sendBatches(
  items: Item[],
  send: Send,
  keyOf: (result: { id: string; properties: Record<string, string | null> }) => string,
  outcomes: WriteOutcome[],
  explain: (err: PermanentError) => PermanentError,
  onConflict?: Conflict,
): Promise<void> {
  for (const batch of chunk(items, BATCH_MAX_INPUTS))
    await sendBisecting(batch, send, keyOf, outcomes, explain, onConflict);
}

/** Writes an item whose create ran into an existing record (HubSpot's 409) to that record instead. */
type Conflict = (item: Item, existingId: string, outcomes: WriteOutcome[]) => Promise<void>;

/**
 * The record a 409 names: "Contact already exists. Existing ID: 123" (a create, or an upsert racing
 * another, for an email HubSpot already holds).
 * https://developers.hubspot.com/docs/api/crm/contacts (409 Conflict)
 */
export function existingIdOf(err: PermanentError): string | undefined {
  if (err.status !== 409) return undefined;
  return /Existing ID: (\d+)/.exec(err.message)?.[1];
}

async function sendBisecting(
  items: Item[],
  send: Send,
  keyOf: (result: { id: string; properties: Record<string, string | null> }) => string,
  outcomes: WriteOutcome[],
  explain: (err: PermanentError) => PermanentError,
  onConflict?: Conflict,
): Promise<void> {
  if (items.length === 0) return;
  let answer;
  try {
    answer = await send(items);
  } catch (err) {
    if (!(err instanceof PermanentError) || err.status === 401 || err.status === 403) throw err;
    if (items.length === 1) {
      const item = items[0] as Item;
      const existing = existingIdOf(err);
      if (existing && onConflict) {
        await onConflict(item, existing, outcomes);
        return;
      }
      const error = explain(err);
      for (const index of item.indexes)
        outcomes[index] = { ok: false, error, ...(/^\d+$/.test(item.key) ? { id: item.key } : {}) };
      return;
    }
    const half = Math.ceil(items.length / 2);
    await sendBisecting(items.slice(0, half), send, keyOf, outcomes, explain, onConflict);
    await sendBisecting(items.slice(half), send, keyOf, outcomes, explain, onConflict);
    return;
  }
  const results = new Map(answer.results.map((result) => [keyOf(result), result]));
  for (const item of items) {
    const result = results.get(item.key);
    if (result) {
      const written = storedValues(item.properties, result.properties);
      item.indexes.forEach((index, nth) => {
        outcomes[index] = {
          ok: true,
          id: result.id,
          created: nth === 0 && (result.created ?? false),
          written,
        };
      });
      continue;
    }
    const error = answer.errors.find((candidate) =>
      candidate.ids.some((id) => id.toLowerCase() === item.key),
    );
    const failure: WriteOutcome = {
      ok: false,
      ...(/^\d+$/.test(item.key) ? { id: item.key } : {}),
      error: new PermanentError(
        error ? `HubSpot refused the record: ${error.message}` : 'HubSpot returned no result for the record',
        error?.category ?? 'MISSING_RESULT',
      ),
    };
    for (const index of item.indexes) outcomes[index] = failure;
  }
}

/**
 * The properties an input set, with the value HubSpot answered for each (it may normalise what it
 * stores; its `propertyChange` notifications carry the stored value), else the value sent.
 */
function storedValues(
  sent: Record<string, string>,
  answered: Record<string, string | null>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent)) out[name] = answered[name] ?? value;
  return out;
}

/** Adds a patch to the input for its record, so one record appears once per batch (HubSpot refuses duplicates). */
function addTo(
  group: Map<string, Item>,
  key: string,
  index: number,
  properties: Record<string, string>,
): void {
  const item = group.get(key);
  if (item) {
    item.indexes.push(index);
    Object.assign(item.properties, properties);
  } else group.set(key, { indexes: [index], key, properties: { ...properties } });
}

/** Applies `patches` in as few calls as the batch caps allow; one outcome per patch, in order. */
export async function writePatches(
  client: HubSpotClient,
  patches: HubSpotRecordPatch[],
  config: MappingConfig,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = new Array(patches.length);
  const updates = new Map<string, Item>();
  const backward = new Map<string, Item>();
  const upserts = new Map<string, Item>();
  const backwardUpserts = new Map<string, Item>();
  patches.forEach((patch, index) => {
    const properties = fromCanonical(patch.fields, config, patch.previousStage, patch.ownStageOnly);
    if (patch.id) {
      addTo(patch.backwardStageMove ? backward : updates, patch.id, index, properties);
      return;
    }
    const email = typeof patch.fields.email === 'string' ? patch.fields.email.trim().toLowerCase() : '';
    if (!email) {
      outcomes[index] = {
        ok: false,
        error: new PermanentError('a new HubSpot contact needs an email', 'MISSING_EMAIL'),
      };
      return;
    }
    addTo(patch.backwardStageMove ? backwardUpserts : upserts, email, index, properties);
  });

  const explain = (err: PermanentError) => withRequiredPropertyFix(err, config);
  const byId = (result: { id: string }) => result.id;
  const byEmail = (result: { properties: Record<string, string | null> }) =>
    (result.properties.email ?? '').toLowerCase();
  const upsert: Send = (items) =>
    client.batchUpsertByEmail(items.map((item) => ({ email: item.key, properties: item.properties })));

  // A record with both a backward move and a plain patch goes entirely through clear-then-set.
  for (const [key, item] of backward) moveInto(updates, key, item);
  for (const [key, item] of backwardUpserts) moveInto(upserts, key, item);
  // Backward moves: their stage is cleared first, then they are set along with the plain updates, so
  // they cost one call more per hundred, not two.
  // https://developers.hubspot.com/docs/api/crm/contacts ("you'll first need to clear the record's existing lifecycle stage value")
  const clearOutcomes: WriteOutcome[] = new Array(patches.length);
  await sendBatches(
    [...backward.values()].map((item) => ({ ...item, properties: { lifecyclestage: '' } })),
    (items) => client.batchUpdate(items.map((item) => ({ id: item.key, properties: item.properties }))),
    byId,
    clearOutcomes,
    explain,
  );
  const cleared = [...backward.values()].filter((item) => {
    const refused = item.indexes
      .map((index) => clearOutcomes[index])
      .find((outcome) => outcome && !outcome.ok);
    if (refused) for (const index of item.indexes) outcomes[index] = refused;
    return !refused;
  });
  await sendBatches(
    [...updates.values(), ...cleared],
    (items) => client.batchUpdate(items.map((item) => ({ id: item.key, properties: item.properties }))),
    byId,
    outcomes,
    explain,
  );
  if (backwardUpserts.size > 0) {
    // Same clear-then-set, keyed by email: an upsert that only clears the stage, then the real one.
    // A refusal here shows again, per record, in the second call, which is where it is reported.
    await upsert(
      [...backwardUpserts.values()].map((item) => ({ ...item, properties: { lifecyclestage: '' } })),
    ).catch((err: unknown) => {
      if (!(err instanceof PermanentError)) throw err;
    });
  }
  // An upsert that races another writer of the same email gets a 409 naming the record: update it.
  const update: Send = (items) =>
    client.batchUpdate(items.map((item) => ({ id: item.key, properties: item.properties })));
  const onConflict: Conflict = (item, existingId, into) =>
    sendBisecting([{ ...item, key: existingId }], update, byId, into, explain);
  await sendBatches(
    [...upserts.values(), ...backwardUpserts.values()],
    upsert,
    byEmail,
    outcomes,
    explain,
    onConflict,
  );
  return outcomes;
}

function moveInto(from: Map<string, Item>, key: string, into: Item): void {
  const plain = from.get(key);
  if (!plain) return;
  from.delete(key);
  into.indexes.unshift(...plain.indexes);
  into.properties = { ...plain.properties, ...into.properties };
}
