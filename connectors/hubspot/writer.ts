import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { RecordPatch, WriteOutcome } from '../types.ts';
import type { BatchResult, HubSpotClient } from './client.ts';
import { fromCanonical, type MappingConfig } from './mapping.ts';

// Writes never race: new contacts go through batch upsert keyed by email, linked ones are updated by
// id, and the explicit backward lifecycle moves take HubSpot's clear-then-set path.

interface Item {
  index: number;
  /** Record id (updates) or lower-cased email (upserts). */
  key: string;
  properties: Record<string, string>;
}

type Send = (
  items: Item[],
) => Promise<BatchResult<{ id: string; properties: Record<string, string | null>; created?: boolean }>>;

/**
 * Sends `items` in one batch; when HubSpot refuses the whole batch for one bad record (a 400 names no
 * record we can map), halves it until the culprit stands alone, so each record gets its own outcome.
 * Rate limits and transient failures are thrown: the job is retried whole, and writes are idempotent.
 */
async function sendBisecting(
  items: Item[],
  send: Send,
  keyOf: (result: { id: string; properties: Record<string, string | null> }) => string,
  outcomes: WriteOutcome[],
): Promise<void> {
  if (items.length === 0) return;
  let answer;
  try {
    answer = await send(items);
  } catch (err) {
    if (!(err instanceof PermanentError) || err.status === 401 || err.status === 403) throw err;
    if (items.length === 1) {
      const item = items[0] as Item;
      outcomes[item.index] = { ok: false, error: err, ...(/^\d+$/.test(item.key) ? { id: item.key } : {}) };
      return;
    }
    const half = Math.ceil(items.length / 2);
    await sendBisecting(items.slice(0, half), send, keyOf, outcomes);
    await sendBisecting(items.slice(half), send, keyOf, outcomes);
    return;
  }
  const results = new Map(answer.results.map((result) => [keyOf(result), result]));
  for (const item of items) {
    const result = results.get(item.key);
    if (result) {
      outcomes[item.index] = { ok: true, id: result.id, created: result.created ?? false };
      continue;
    }
    const error = answer.errors.find((candidate) =>
      candidate.ids.some((id) => id.toLowerCase() === item.key),
    );
    outcomes[item.index] = {
      ok: false,
      ...(/^\d+$/.test(item.key) ? { id: item.key } : {}),
      error: new PermanentError(
        error ? `HubSpot refused the record: ${error.message}` : 'HubSpot returned no result for the record',
        error?.category ?? 'MISSING_RESULT',
      ),
    };
  }
}

/** Applies `patches` in as few calls as the batch caps allow; one outcome per patch, in order. */
export async function writePatches(
  client: HubSpotClient,
  patches: RecordPatch[],
  config: MappingConfig,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = new Array(patches.length);
  const updates: Item[] = [];
  const backward: Item[] = [];
  const upserts: Item[] = [];
  const backwardUpserts: Item[] = [];
  patches.forEach((patch, index) => {
    const properties = fromCanonical(patch.fields, config);
    if (patch.id) {
      (patch.backwardStageMove ? backward : updates).push({ index, key: patch.id, properties });
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
    (patch.backwardStageMove ? backwardUpserts : upserts).push({ index, key: email, properties });
  });

  const byId = (result: { id: string }) => result.id;
  const byEmail = (result: { properties: Record<string, string | null> }) =>
    (result.properties.email ?? '').toLowerCase();
  const upsert: Send = (items) =>
    client.batchUpsertByEmail(items.map((item) => ({ email: item.key, properties: item.properties })));

  await sendBisecting(
    updates,
    (items) => client.batchUpdate(items.map((item) => ({ id: item.key, properties: item.properties }))),
    byId,
    outcomes,
  );
  await sendBisecting(
    backward,
    (items) =>
      client.setLifecycleBackward(items.map((item) => ({ id: item.key, properties: item.properties }))),
    byId,
    outcomes,
  );
  if (backwardUpserts.length > 0) {
    // Same clear-then-set, keyed by email: an upsert that only clears the stage, then the real one.
    // A refusal here shows again, per record, in the second call, which is where it is reported.
    await upsert(backwardUpserts.map((item) => ({ ...item, properties: { lifecyclestage: '' } }))).catch(
      (err: unknown) => {
        if (!(err instanceof PermanentError)) throw err;
      },
    );
  }
  await sendBisecting([...upserts, ...backwardUpserts], upsert, byEmail, outcomes);
  return outcomes;
}
