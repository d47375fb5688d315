import type { FieldValue, Lead, SystemName } from './lead.ts';
import type { FieldMapping } from './ownership-schema.ts';
import { canonicalValue, capText, SYSTEM_TEXT_LIMITS, type FieldType } from './values.ts';

/** One canonical field as one system names it. */
export interface SystemField {
  canonical: string;
  /** HubSpot property or Salesforce field API name. */
  property: string;
  type: FieldType;
}

/** The fields a system carries, from the config's mappings (fields it lacks are left out). */
export function systemFields(fields: readonly FieldMapping[], system: SystemName): SystemField[] {
  return fields.flatMap((mapping) => {
    const property = mapping[system];
    return property === undefined ? [] : [{ canonical: mapping.canonical, property, type: mapping.type }];
  });
}

/**
 * A system's record (property/field name -> raw value) as a canonical lead: every mapped field, in its
 * canonical form (numbers from numeric strings, instants as ISO-8601 UTC, blank as null). The stage is
 * not read this way: connectors set `stage` from `stageFromHubSpot` / `stageFromSalesforce`. Text longer
 * than the system itself stores is cut to its limit first, so no rule ever runs on more.
 */
export function toCanonicalLead(
  record: Readonly<Record<string, unknown>>,
  fields: readonly FieldMapping[],
  system: SystemName,
): Partial<Lead> {
  const lead: Record<string, FieldValue> = {};
  for (const field of systemFields(fields, system)) {
    if (field.canonical === 'stage') continue;
    const raw = capText(record[field.property], SYSTEM_TEXT_LIMITS[system]);
    lead[field.canonical] = canonicalValue(raw, field.type);
  }
  return lead as Partial<Lead>;
}

/**
 * A canonical patch as the system's property/field names with canonical values (null clears); fields the
 * system does not carry are dropped. Connectors format the values for their API (HubSpot takes strings).
 */
export function toSystemProperties(
  patch: Partial<Lead>,
  fields: readonly FieldMapping[],
  system: SystemName,
): Record<string, FieldValue> {
  const properties: Record<string, FieldValue> = {};
  const values = patch as Record<string, unknown>;
  for (const field of systemFields(fields, system)) {
    if (Object.hasOwn(values, field.canonical)) {
      properties[field.property] = canonicalValue(values[field.canonical], field.type);
    }
  }
  return properties;
}

/** The canonical fields LeadBridge computes and writes to both sides (never taken from one side). */
export const COMPUTED_FIELDS = {
  score: 'number',
  stage: 'string',
  rejectionReason: 'string',
  rejectedAt: 'datetime',
  slaDueAt: 'datetime',
  slaBreached: 'boolean',
  /** Why the handoff gate holds the lead back (HubSpot only); cleared once it passes. */
  gateReason: 'string',
} as const satisfies Record<string, FieldType>;
export type ComputedField = keyof typeof COMPUTED_FIELDS;

/** Names of the computed fields in each tenant; `customFields` from the config fits. */
export interface ComputedFieldNames {
  hubspot?: Partial<Record<ComputedField, string>>;
  salesforce?: Partial<Record<ComputedField, string>>;
}

/**
 * Field mappings for the computed fields, to append to the config's `fields` before merging. Their
 * ownership is `none`: they are written only through `mergeLead`'s `computed` values, never copied from
 * one side to the other.
 */
export function computedFieldMappings(names: ComputedFieldNames): FieldMapping[] {
  return (Object.keys(COMPUTED_FIELDS) as ComputedField[]).map((canonical) => {
    const hubspot = names.hubspot?.[canonical];
    const salesforce = names.salesforce?.[canonical];
    return {
      canonical,
      ...(hubspot === undefined ? {} : { hubspot }),
      ...(salesforce === undefined ? {} : { salesforce }),
      type: COMPUTED_FIELDS[canonical],
      ownership: 'none',
      ownershipFromStage: [],
      tieBreak: 'salesforce',
    };
  });
}
