import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { FieldValue, Lead } from '../../src/domain/lead.ts';
import type { FieldMapping } from '../../src/domain/ownership-schema.ts';
import { hubspotStageProperties, stageFromHubSpot } from '../../src/domain/lifecycle-mapping.ts';
import { SYSTEM_TEXT_LIMITS } from '../../src/domain/values.ts';

// Pure translation between HubSpot contact properties (all strings on the wire; "" clears) and the
// canonical lead, driven by `config.fields`, `config.customFields.hubspot` and `config.lifecycle.hubspot`.

export type MappingConfig = Pick<LeadBridgeConfig, 'fields' | 'customFields' | 'lifecycle'>;

type FieldType = FieldMapping['type'];

/** The LeadBridge-owned canonical fields and the type each has in HubSpot. */
const CUSTOM_FIELDS = [
  ['score', 'number'],
  ['rejectionReason', 'string'],
  ['rejectedAt', 'datetime'],
  ['slaDueAt', 'datetime'],
  ['slaBreached', 'boolean'],
  ['gateReason', 'string'],
] as const satisfies ReadonlyArray<
  readonly [keyof Lead & keyof MappingConfig['customFields']['hubspot'], FieldType]
>;

function fromWire(raw: string | null | undefined, type: FieldType): FieldValue {
  if (raw === null || raw === undefined || raw === '') return null;
  // Nothing longer than HubSpot itself stores reaches a rule (a forged or corrupt value could be any size).
  const value = raw.length > SYSTEM_TEXT_LIMITS.hubspot ? raw.slice(0, SYSTEM_TEXT_LIMITS.hubspot) : raw;
  switch (type) {
    case 'string':
      return value;
    case 'number': {
      const number = Number(value);
      return Number.isFinite(number) ? number : null;
    }
    case 'boolean':
      return value === 'true';
    case 'datetime': {
      // HubSpot answers ISO-8601 for datetime properties and epoch milliseconds in some older ones.
      const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
      return Number.isNaN(date.getTime()) ? null : date.toISOString();
    }
  }
}

function toWire(value: FieldValue | undefined, type: FieldType): string {
  if (value === null || value === undefined) return '';
  if (type === 'datetime' && typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  return String(value);
}

/** The HubSpot property names a read must ask for to build the canonical lead. */
export function contactProperties(config: MappingConfig): string[] {
  const names = new Set<string>([
    'email',
    'lifecyclestage',
    'hs_lead_status',
    'lastmodifieddate',
    'createdate',
    'hs_updated_by_user_id',
    'hs_merged_object_ids',
  ]);
  for (const field of config.fields) if (field.hubspot) names.add(field.hubspot);
  names.add(config.customFields.hubspot.stage);
  for (const [canonical] of CUSTOM_FIELDS) names.add(config.customFields.hubspot[canonical]);
  return [...names];
}

/** A HubSpot contact's properties as the canonical lead. */
export function toCanonical(
  properties: Record<string, string | null | undefined>,
  config: MappingConfig,
): Lead {
  const lead: Lead = {};
  for (const field of config.fields) {
    if (!field.hubspot) continue;
    lead[field.canonical] = fromWire(properties[field.hubspot], field.type);
  }
  const custom = config.customFields.hubspot;
  for (const [canonical, type] of CUSTOM_FIELDS) {
    const value = fromWire(properties[custom[canonical]], type);
    (lead as Record<string, FieldValue>)[canonical] = value;
  }
  lead.stage = stageFromHubSpot(
    {
      lifecyclestage: properties.lifecyclestage ?? null,
      hs_lead_status: properties.hs_lead_status ?? null,
      leadbridgeStage: properties[custom.stage] ?? null,
    },
    config.lifecycle,
  ).stage;
  return lead;
}

/**
 * Canonical fields to HubSpot properties. `null` becomes "" (HubSpot's way to clear a value). A stage
 * is written three ways: LeadBridge's own stage property and, where the config maps it, HubSpot's
 * `lifecyclestage` and `hs_lead_status`. `previousStage` is the record's shared stage before this
 * write: leaving a side state (e.g. recycled, BAD_TIMING) for a stage with no lead status clears the
 * `hs_lead_status` the side state had set, which is otherwise left as it is. `ownStageOnly` writes only
 * LeadBridge's own stage property (a contact held back by the gate keeps its own lifecyclestage).
 */
export function fromCanonical(
  fields: Partial<Lead>,
  config: MappingConfig,
  previousStage?: string | null,
  ownStageOnly = false,
): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const field of config.fields) {
    if (!field.hubspot || !(field.canonical in fields)) continue;
    properties[field.hubspot] = toWire(fields[field.canonical], field.type);
  }
  const custom = config.customFields.hubspot;
  for (const [canonical, type] of CUSTOM_FIELDS) {
    if (canonical in fields) properties[custom[canonical]] = toWire(fields[canonical], type);
  }
  if ('stage' in fields) {
    const stage = fields.stage ?? null;
    properties[custom.stage] = stage ?? '';
    if (stage && !ownStageOnly) {
      const native = hubspotStageProperties(stage, config.lifecycle, previousStage);
      if (native.lifecyclestage !== undefined) properties.lifecyclestage = native.lifecyclestage;
      if (native.hs_lead_status !== undefined) properties.hs_lead_status = native.hs_lead_status ?? '';
    }
  }
  return properties;
}

/**
 * Pure: the ids in `hs_merged_object_ids` (semicolon-separated, read-only, set on the surviving contact of
 * every merge). https://knowledge.hubspot.com/records/merge-records
 */
export function mergedObjectIds(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(';')
    .map((id) => id.trim())
    .filter((id) => /^\d+$/.test(id));
}
