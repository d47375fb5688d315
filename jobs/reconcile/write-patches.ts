import type { TenantConnectors } from '../../connectors/index.ts';
import { createHash } from 'node:crypto';
import { partialOutcomesOf } from '../../connectors/partial-write.ts';
import type { RecordPatch, WriteOutcome } from '../../connectors/types.ts';
import type { SystemName } from '../../src/domain/lead.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { LeadLinks } from '../../src/store/lead-links.ts';
import type { ParkedWrite, ParkedWrites } from '../../src/store/parked-writes.ts';
import type { LinkInput } from '../../src/store/link-plans.ts';
import type { WrittenRecord, WrittenValues } from '../../src/store/written-values.ts';
import type { RecordFailure } from '../engine.ts';
import type { LeadPlan, LeadWrites } from './types.ts';

export interface BatchWrites {
  /** Per lead key, each side's patch and outcome. */
  writes: Map<string, LeadWrites>;
  failures: RecordFailure[];
}

interface WriteContext {
  tenant: string;
  connectors: TenantConnectors;
  links: LeadLinks;
  now: Date;
  /** Where refused writes are parked; without it every write is sent. */
  parked?: ParkedWrites;
  /** Hash of the config the patches were planned with (part of a parked write's fingerprint). */
  configHash?: string;
  /** Where the values of successful writes are remembered, stamped by `clock` once they landed (echo filter). */
  written?: { store: WrittenValues; clock: () => Date };
}

/** Error codes that say nothing about the record itself: never parked. */
const NOT_THE_RECORD = /EXPIRED|AUTH|SESSION|UNAVAILABLE|TIMEOUT|LIMIT|NOT_WRITTEN|MISSING_RESULT/i;

/**
 * What a refused write depends on: the patch (which carries what changed on the other side), the
 * refused record's own last-modified stamp (a person fixing it there), and the config.
 */
function fingerprint(context: WriteContext, system: SystemName, plan: LeadPlan, patch: RecordPatch): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        context.configHash ?? '',
        system,
        patch.id ?? null,
        patch.fields,
        plan.sides[system]?.modifiedAt ?? null,
      ]),
    )
    .digest('base64url');
}

function writeFailure(
  tenant: string,
  leadKey: string,
  system: SystemName,
  patch: RecordPatch,
  outcome: Extract<WriteOutcome, { ok: false }>,
): RecordFailure {
  return {
    tenant,
    leadKey,
    system,
    recordId: outcome.id ?? patch.id ?? null,
    code: outcome.error.code,
    message: outcome.error.message,
    retryable: false,
  };
}

/**
 * Drops creates for people whose record was deleted (or privacy-deleted) on this side: the retired
 * link's tombstone (by email hash) says a person removed it on purpose, so no pass brings it back.
 */
async function withoutTombstoned(
  context: WriteContext,
  batch: Array<{ leadKey: string; patch: RecordPatch }>,
  plans: Map<string, LeadPlan>,
): Promise<Array<{ leadKey: string; patch: RecordPatch }>> {
  const emailOf = ({ leadKey, patch }: { leadKey: string; patch: RecordPatch }) => {
    const email = plans.get(leadKey)?.sides.link.email ?? patch.fields.email;
    return typeof email === 'string' && email.trim() !== '' ? email : null;
  };
  const creates = batch.filter((item) => !item.patch.id && emailOf(item) !== null);
  if (creates.length === 0) return batch;
  const tombstones = await context.links.tombstonesFor(
    context.tenant,
    creates.map((item) => emailOf(item) as string),
  );
  if (tombstones.size === 0) return batch;
  return batch.filter((item) => item.patch.id || !tombstones.has(emailOf(item) ?? ''));
}

/** One `write` call for every patch of one system in the batch; outcomes mapped back to their leads. */
async function writeSystem(
  context: WriteContext,
  system: SystemName,
  plans: LeadPlan[],
  into: BatchWrites,
): Promise<void> {
  let batch = plans.flatMap((plan) => {
    const patch = plan.patches[system];
    const leadKey = plan.sides.link.leadKey;
    // A create carries the lead key, so repeating it (a job re-run after a crash) finds the first one's record.
    return patch ? [{ leadKey, patch: patch.id ? patch : { ...patch, key: leadKey } }] : [];
  });
  if (batch.length === 0) return;
  const planOfKey = new Map(plans.map((plan) => [plan.sides.link.leadKey, plan]));
  // Hashed only for the writes that need one (held or refused): most writes of a batch need none.
  const prints = new Map<string, string>();
  const patchOf = new Map(batch.map(({ leadKey, patch }) => [leadKey, patch]));
  const printOf = (leadKey: string): string => {
    let print = prints.get(leadKey);
    if (print === undefined) {
      const plan = planOfKey.get(leadKey) as LeadPlan;
      print = fingerprint(context, system, plan, patchOf.get(leadKey) as RecordPatch);
      prints.set(leadKey, print);
    }
    return print;
  };
  const field = (leadKey: string) => `${leadKey}|${system}`;
  const parked = context.parked
    ? await context.parked.getMany(
        context.tenant,
        batch.map(({ leadKey }) => field(leadKey)),
      )
    : new Map<string, ParkedWrite>();
  // A write refused before, with nothing changed since, would be refused again: not sent.
  const held = batch.filter(({ leadKey }) => {
    const entry = parked.get(field(leadKey));
    return entry !== undefined && entry.fingerprint === printOf(leadKey);
  });
  for (const { leadKey, patch } of held) {
    const entry = parked.get(field(leadKey)) as ParkedWrite;
    into.failures.push({
      tenant: context.tenant,
      leadKey,
      system,
      recordId: patch.id ?? null,
      code: entry.code,
      message: `${entry.message} (parked since ${entry.at}; sent again once the record or the config changes)`,
      retryable: false,
    });
  }
  batch = batch.filter((item) => !held.includes(item));
  batch = await withoutTombstoned(context, batch, planOfKey);
  if (batch.length === 0) return;
  let outcomes: Array<WriteOutcome | undefined>;
  try {
    outcomes =
      system === 'hubspot'
        ? await context.connectors.hubspot.write(batch.map((item) => item.patch))
        : await context.connectors.salesforce.write(batch.map((item) => item.patch));
  } catch (err) {
    // Records created before the call failed are linked now, so the retry updates them.
    const partial = partialOutcomesOf(err);
    const created = batch.flatMap(({ leadKey, patch }, i) => {
      const outcome = partial[i];
      return outcome?.ok && !patch.id ? [{ leadKey, outcome }] : [];
    });
    if (created.length > 0) {
      await context.links.linkMany(
        context.tenant,
        created.map(({ leadKey, outcome }) =>
          system === 'hubspot' ? { leadKey, hubspot: outcome.id } : { leadKey, salesforceLead: outcome.id },
        ),
        context.now,
      );
    }
    throw err;
  }
  const landedAt = context.written?.clock().getTime() ?? 0;
  const planOf = new Map(plans.map((plan) => [plan.sides.link.leadKey, plan]));
  const written: WrittenRecord[] = [];
  const creates: Array<{ leadKey: string; input: LinkInput; recordId: string }> = [];
  const toPark: Array<{ field: string; parked: ParkedWrite }> = [];
  const toClear: string[] = [];
  batch.forEach(({ leadKey, patch }, i) => {
    const outcome: WriteOutcome = outcomes[i] ?? {
      ok: false,
      error: new PermanentError(`${system} returned no outcome for the record`, 'NOT_WRITTEN'),
    };
    into.writes.set(leadKey, { ...into.writes.get(leadKey), [system]: { patch, outcome } });
    if (!outcome.ok) {
      into.failures.push(writeFailure(context.tenant, leadKey, system, patch, outcome));
      if (!NOT_THE_RECORD.test(outcome.error.code)) {
        toPark.push({
          field: field(leadKey),
          parked: {
            fingerprint: printOf(leadKey),
            code: outcome.error.code,
            message: outcome.error.message,
            at: context.now.toISOString(),
          },
        });
      }
      return;
    }
    if (parked.has(field(leadKey))) toClear.push(field(leadKey));
    if (outcome.written) written.push({ id: outcome.id, values: outcome.written });
    if (patch.id) return;
    const input: LinkInput =
      system === 'hubspot' ? { leadKey, hubspot: outcome.id } : { leadKey, salesforceLead: outcome.id };
    creates.push({ leadKey, input, recordId: outcome.id });
  });
  await Promise.all([
    context.written?.store.record(context.tenant, system, written, landedAt),
    context.parked?.park(context.tenant, toPark),
    context.parked?.clear(context.tenant, toClear),
  ]);
  if (creates.length === 0) return;
  const linked = await context.links.linkMany(
    context.tenant,
    creates.map((create) => create.input),
    context.now,
  );
  linked.forEach((outcome, i) => {
    const create = creates[i];
    if (!create) return;
    if (outcome.ok) {
      const plan = planOf.get(create.leadKey);
      if (plan) plan.sides = { ...plan.sides, link: outcome.link };
      return;
    }
    into.failures.push({
      tenant: context.tenant,
      leadKey: create.leadKey,
      system,
      recordId: create.recordId,
      code: 'LINK_CONFLICT',
      message: outcome.detail,
      retryable: false,
    });
  });
}

/**
 * Writes the batch's patches: Salesforce first, and its new Lead ids linked at once. Creates are
 * idempotent (Salesforce upserts on the lead key, HubSpot upserts by email), so a job that dies between
 * a create and its link repeats the create harmlessly and links the same record. Rate limits and
 * transient errors are thrown (the batch is retried); per-record errors come back as failures.
 */
export async function writePatches(context: WriteContext, plans: LeadPlan[]): Promise<BatchWrites> {
  const into: BatchWrites = { writes: new Map(), failures: [] };
  await writeSystem(context, 'salesforce', plans, into);
  await writeSystem(context, 'hubspot', plans, into);
  return into;
}
