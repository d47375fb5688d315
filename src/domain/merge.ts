import type { FieldValue, Lead, SystemName } from './lead.ts';
import { DEFAULT_LIFECYCLE_ORDER, hasReachedStage, stageRank, type LifecycleOrder } from './lifecycle.ts';
import type { FieldMapping, Ownership } from './ownership-schema.ts';
import { canonicalValue, isBlank, valuesEqual } from './values.ts';

const SYSTEMS = ['hubspot', 'salesforce'] as const satisfies readonly SystemName[];

export interface MergeInput {
  /** The values last synced to both sides (kept by the engine); null or empty on the first sync. */
  base?: Partial<Lead> | null;
  /**
   * The record as each side holds it now; null when that side has no record yet. A missing side has
   * nothing to say about any field, and its patch is everything it would be created with.
   */
  hubspot: Partial<Lead> | null;
  salesforce: Partial<Lead> | null;
  fields: readonly FieldMapping[];
  /** The lead's shared stage, for `ownershipFromStage`; default `computed.stage`, then `base.stage`. */
  stage?: string | null;
  lifecycle?: LifecycleOrder;
  /** Values LeadBridge decided itself (score, stage, rejection reason, SLA): written to every mapped side. */
  computed?: Partial<Lead>;
}

/** Both sides changed a field since the base, to different values, and this is how it was settled. */
export interface FieldConflict {
  field: string;
  base: FieldValue;
  hubspot: FieldValue;
  salesforce: FieldValue;
  ownership: Ownership;
  winner: SystemName;
  value: FieldValue;
  /** One sentence for `explain`. */
  rule: string;
}

export interface MergeResult {
  merged: Partial<Lead>;
  /** Per side, only the fields mapped to that system whose value there differs from the merged one. */
  patches: Record<SystemName, Partial<Lead>>;
  conflicts: FieldConflict[];
}

/** The ownership rule in force for a field at a stage: the furthest `ownershipFromStage` entry reached. */
export function effectiveOwnership(
  mapping: Pick<FieldMapping, 'ownership' | 'ownershipFromStage'>,
  stage: string | null | undefined,
  lifecycle: LifecycleOrder = DEFAULT_LIFECYCLE_ORDER,
): Ownership {
  let ownership = mapping.ownership;
  let reached = -Infinity;
  for (const rule of mapping.ownershipFromStage) {
    const rank = stageRank(rule.stage, lifecycle);
    if (rank !== null && rank >= reached && hasReachedStage(stage, rule.stage, lifecycle)) {
      ownership = rule.ownership;
      reached = rank;
    }
  }
  return ownership;
}

interface Settled {
  value: unknown;
  from: SystemName;
  rule: string;
}

function settle(
  ownership: Exclude<Ownership, 'none'>,
  values: Record<SystemName, unknown>,
  changed: Record<SystemName, boolean>,
  tieBreak: SystemName,
): Settled {
  const take = (from: SystemName, rule: string): Settled => ({ value: values[from], from, rule });
  switch (ownership) {
    case 'hubspot':
    case 'salesforce':
      return take(ownership, `${ownership} owns the field`);
    case 'prefer_hubspot_unless_blank':
      return isBlank(values.hubspot)
        ? take('salesforce', 'hubspot is blank, so salesforce')
        : take('hubspot', 'hubspot preferred');
    case 'prefer_salesforce_unless_blank':
      return isBlank(values.salesforce)
        ? take('hubspot', 'salesforce is blank, so hubspot')
        : take('salesforce', 'salesforce preferred');
    case 'two_way':
      if (changed.hubspot && changed.salesforce) {
        return take(tieBreak, `both changed since the last sync; tie-break ${tieBreak}`);
      }
      if (changed.salesforce) return take('salesforce', 'salesforce changed since the last sync');
      return take('hubspot', changed.hubspot ? 'hubspot changed since the last sync' : 'unchanged');
  }
}

function valueOf(record: Partial<Lead> | null | undefined, field: string): unknown {
  return record ? (record as Record<string, unknown>)[field] : undefined;
}

/**
 * Three-way merge of one lead. For each mapped field the ownership rule picks the winning value (two_way:
 * the side that changed since the base; both changed: the field's tie-break); `computed` values win over
 * both sides. Values are normalised before comparing (blank is blank, numbers and numeric strings agree,
 * instants compare as instants, emails ignore case), so equal records produce empty patches. A field
 * mapped to one system only is read from it and never written; `none` is never written either. A side
 * with no record (null) takes the other side's values, and its patch holds every non-blank field to
 * create it with. Fields no mapping names travel into `merged` (HubSpot's first) but are never written.
 */
export function mergeLead(input: MergeInput): MergeResult {
  const { base, hubspot, salesforce, fields, computed = {} } = input;
  const lifecycle = input.lifecycle ?? DEFAULT_LIFECYCLE_ORDER;
  const stage = input.stage ?? computed.stage ?? base?.stage ?? null;
  const merged: Record<string, FieldValue> = {};
  const patches: Record<SystemName, Record<string, FieldValue>> = { hubspot: {}, salesforce: {} };
  const conflicts: FieldConflict[] = [];

  for (const mapping of fields) {
    const field = mapping.canonical;
    const type = mapping.type;
    const values = { hubspot: valueOf(hubspot, field), salesforce: valueOf(salesforce, field) };
    const mapped = { hubspot: mapping.hubspot !== undefined, salesforce: mapping.salesforce !== undefined };
    const readable = SYSTEMS.filter((system) => mapped[system] && input[system] !== null);
    const ownership = effectiveOwnership(mapping, stage, lifecycle);
    let winner: unknown;
    let writes = mapped.hubspot && mapped.salesforce && ownership !== 'none';
    if (Object.hasOwn(computed, field)) {
      winner = valueOf(computed, field);
      writes = true;
    } else if (readable.length < 2 || ownership === 'none') {
      winner = readable.map((system) => values[system]).find((value) => !isBlank(value));
    } else {
      const baseValue = valueOf(base, field);
      const changed = {
        hubspot: !valuesEqual(values.hubspot, baseValue, type, field),
        salesforce: !valuesEqual(values.salesforce, baseValue, type, field),
      };
      const settled = settle(ownership, values, changed, mapping.tieBreak);
      winner = settled.value;
      if (
        changed.hubspot &&
        changed.salesforce &&
        !valuesEqual(values.hubspot, values.salesforce, type, field)
      ) {
        conflicts.push({
          field,
          base: canonicalValue(baseValue, type),
          hubspot: canonicalValue(values.hubspot, type),
          salesforce: canonicalValue(values.salesforce, type),
          ownership,
          winner: settled.from,
          value: canonicalValue(winner, type),
          rule: settled.rule,
        });
      }
    }
    merged[field] = canonicalValue(winner, type);
    if (!writes) continue;
    for (const system of SYSTEMS) {
      if (mapped[system] && !valuesEqual(values[system], winner, type, field)) {
        patches[system][field] = merged[field];
      }
    }
  }

  const named = new Set(fields.map((mapping) => mapping.canonical));
  for (const [field, value] of Object.entries(computed)) {
    if (!named.has(field)) merged[field] = canonicalValue(value, undefined);
  }
  for (const record of [hubspot ?? {}, salesforce ?? {}, base ?? {}]) {
    for (const [field, value] of Object.entries(record)) {
      if (named.has(field) || Object.hasOwn(computed, field)) continue;
      if (!(field in merged) || (isBlank(merged[field]) && !isBlank(value))) {
        merged[field] = canonicalValue(value, undefined);
      }
    }
  }
  return { merged: merged as Partial<Lead>, patches: patches as MergeResult['patches'], conflicts };
}

/**
 * The base to store once the patches were written: the merged lead, except that a field whose write to
 * a side failed keeps its old base value, so the next merge still sees the other side's change as the
 * change and does not mistake the failed side's old value for a new one.
 */
export function nextBase(
  previousBase: Partial<Lead> | null | undefined,
  result: MergeResult,
  written: Record<SystemName, boolean>,
): Partial<Lead> {
  const base: Record<string, FieldValue | undefined> = { ...result.merged };
  for (const system of SYSTEMS) {
    if (written[system]) continue;
    for (const field of Object.keys(result.patches[system])) {
      const previous = valueOf(previousBase, field) as FieldValue | undefined;
      if (previous === undefined) delete base[field];
      else base[field] = previous;
    }
  }
  return base as Partial<Lead>;
}
