import type { CustomFieldNames, LeadBridgeConfig } from '../../src/config/schema.ts';
import type { FieldValue, Lead } from '../../src/domain/lead.ts';
import type { FieldMapping } from '../../src/domain/ownership-schema.ts';
import { capText, SYSTEM_TEXT_LIMITS } from '../../src/domain/values.ts';

/**
 * The parts of the config that decide how a Salesforce Lead (or converted Contact) reads as a canonical
 * lead. Pure data, built once per config.
 */
export interface SalesforceMapping {
  /** Canonical field -> Salesforce field and type, from `config.fields` (entries with a `salesforce` name). */
  fields: Array<{ canonical: string; salesforce: string; type: FieldMapping['type'] }>;
  custom: CustomFieldNames['salesforce'];
  /** Salesforce Lead `Status` -> shared stage or side state. */
  statusToStage: Record<string, string>;
  /** The shared stages in order, to tell whether our stage is ahead of what Status says. */
  stages: string[];
}

export function salesforceMapping(config: LeadBridgeConfig): SalesforceMapping {
  return {
    fields: config.fields.flatMap((field) =>
      field.salesforce && field.ownership !== 'none'
        ? [{ canonical: field.canonical, salesforce: field.salesforce, type: field.type }]
        : [],
    ),
    custom: config.customFields.salesforce,
    statusToStage: config.lifecycle.salesforce.status,
    stages: config.lifecycle.stages,
  };
}

/** The first Status mapped to `stage` (the config's rule for writing), or undefined when none is. */
export function statusForStage(stage: string, mapping: SalesforceMapping): string | undefined {
  return Object.entries(mapping.statusToStage).find(([, mapped]) => mapped === stage)?.[0];
}

/** Fields to SELECT for the canonical lead: the mapped ones, LeadBridge's own ones and Status. */
export function mappedFieldNames(mapping: SalesforceMapping): string[] {
  const { custom } = mapping;
  return unique([
    ...mapping.fields.map((field) => field.salesforce),
    custom.score,
    custom.stage,
    custom.rejectionReason,
    custom.slaDueAt,
    custom.slaBreached,
    'Status',
  ]);
}

/**
 * A Salesforce row as a canonical lead. Only fields present in the row appear (absent: unknown, `null`:
 * blank), so a Contact, which has no Company, never reads as "company was cleared".
 *
 * Stage: LeadBridge writes its shared stage to the stage field and, where the config maps one, the
 * matching Status. Our stage stands while Status still agrees with it (or the picklist has no status for
 * it, e.g. `customer`); once a rep sets a Status that belongs to another stage, Status wins.
 */
export function toCanonical(row: Record<string, unknown>, mapping: SalesforceMapping): Lead {
  const lead: Lead = {};
  for (const field of mapping.fields) {
    if (field.salesforce in row) lead[field.canonical] = readValue(row[field.salesforce], field.type);
  }
  const { custom } = mapping;
  if (custom.score in row) lead.score = readValue(row[custom.score], 'number') as number | null;
  if (custom.rejectionReason in row) {
    lead.rejectionReason = readValue(row[custom.rejectionReason], 'string') as string | null;
  }
  if (custom.slaDueAt in row) lead.slaDueAt = readValue(row[custom.slaDueAt], 'datetime') as string | null;
  if (custom.slaBreached in row) {
    lead.slaBreached = readValue(row[custom.slaBreached], 'boolean') as boolean | null;
  }
  const stage = readStage(row, mapping);
  if (stage !== undefined) lead.stage = stage;
  return lead;
}

function readStage(row: Record<string, unknown>, mapping: SalesforceMapping): string | null | undefined {
  const hasStatus = 'Status' in row;
  const hasStage = mapping.custom.stage in row;
  if (!hasStatus && !hasStage) return undefined;
  const status = typeof row.Status === 'string' ? row.Status : undefined;
  const statusStage = status !== undefined ? mapping.statusToStage[status] : undefined;
  const ours =
    typeof row[mapping.custom.stage] === 'string' ? (row[mapping.custom.stage] as string) : undefined;
  if (!ours) return statusStage ?? null;
  const oursStatus = statusForStage(ours, mapping);
  if (!hasStatus || statusStage === undefined || oursStatus === status) return ours;
  if (oursStatus === undefined) {
    // No status exists for our stage; keep it unless Status names a stage our stage has not reached.
    const oursRank = mapping.stages.indexOf(ours);
    const statusRank = mapping.stages.indexOf(statusStage);
    return oursRank === -1 || statusRank === -1 || oursRank >= statusRank ? ours : statusStage;
  }
  return statusStage;
}

export interface FromCanonicalOptions {
  /** Fields the target object has (from describe); others are dropped. Omit to keep all. */
  available?: ReadonlySet<string>;
  /** Whether to set Status from the stage (Leads only; converted Contacts have no Status). */
  writeStatus?: boolean;
  /** Statuses that mean "converted": only conversion sets them, so a write never does. */
  convertedStatuses?: ReadonlySet<string>;
}

/** Canonical fields to set as Salesforce field values; `null` clears. Unmapped fields are dropped. */
export function fromCanonical(
  fields: Partial<Lead>,
  mapping: SalesforceMapping,
  options: FromCanonicalOptions = {},
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const field of mapping.fields) {
    const value = fields[field.canonical];
    if (value !== undefined) out[field.salesforce] = writeValue(value, field.type);
  }
  const { custom } = mapping;
  if (fields.score !== undefined) out[custom.score] = writeValue(fields.score, 'number');
  if (fields.rejectionReason !== undefined) out[custom.rejectionReason] = fields.rejectionReason;
  if (fields.slaDueAt !== undefined) out[custom.slaDueAt] = writeValue(fields.slaDueAt, 'datetime');
  if (fields.slaBreached !== undefined) out[custom.slaBreached] = writeValue(fields.slaBreached, 'boolean');
  if (fields.stage !== undefined) {
    out[custom.stage] = fields.stage;
    const status = fields.stage === null ? undefined : statusForStage(fields.stage, mapping);
    if ((options.writeStatus ?? true) && status && !options.convertedStatuses?.has(status))
      out.Status = status;
  }
  if (options.available) {
    for (const name of Object.keys(out)) if (!options.available.has(name)) delete out[name];
  }
  return out;
}

/** Salesforce date-times look like `2024-05-01T12:00:00.000+0000`; canonical ones are ISO with `Z`. */
export function toIsoInstant(value: string): string | null {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function readValue(raw: unknown, type: FieldMapping['type']): FieldValue {
  if (raw === null || raw === undefined || raw === '') return null;
  // Nothing longer than Salesforce itself stores (a long text area) reaches a rule.
  const value = capText(raw, SYSTEM_TEXT_LIMITS.salesforce);
  switch (type) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true';
    case 'datetime':
      return typeof value === 'string' ? toIsoInstant(value) : null;
    case 'string':
      return typeof value === 'string' ? value : String(value);
  }
}

function writeValue(value: FieldValue, type: FieldMapping['type']): FieldValue {
  if (value === null || value === '') return null;
  switch (type) {
    case 'number':
      return typeof value === 'number' ? value : Number.isFinite(Number(value)) ? Number(value) : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true';
    case 'datetime':
      return typeof value === 'string' ? (toIsoInstant(value) ?? value) : value;
    case 'string':
      return String(value);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
