import type { RecordPatch, SystemRecord } from '../../connectors/types.ts';
import type { HubSpotRecordPatch } from '../../connectors/hubspot/writer.ts';
import type { Lead, SystemName } from '../../src/domain/lead.ts';
import type { BusinessHours } from '../../src/domain/business-hours-schema.ts';
import type { LedgerEntry } from '../../src/domain/ledger-entry.ts';
import { foldLedger } from '../../src/domain/ledger-fold.ts';
import { reconcileLead, type DomainConfig, type SideMeta } from '../../src/domain/reconcile-lead.ts';
import { salesforceWriteId } from '../../src/store/lead-link.ts';
import type { VersionedState } from '../../src/store/sync-state.ts';
import type { RecordFailure } from '../engine.ts';
import type { LeadPlan, LeadSides } from './types.ts';

function missingFailure(tenant: string, sides: LeadSides, system: SystemName): RecordFailure {
  const link = sides.link;
  const id = system === 'hubspot' ? link.hubspot : salesforceWriteId(link);
  return {
    tenant,
    leadKey: link.leadKey,
    system,
    recordId: id,
    code: 'RECORD_NOT_FOUND',
    message: `linked ${system} record ${id} was not found (deleted or merged away); not re-created`,
    retryable: false,
  };
}

/**
 * A converted Lead is written on its Contact, which lacks some Lead fields (Company, Status, most custom
 * ones); the reader leaves those out of the record, so only fields the record carries are patched.
 * Otherwise every pass would plan a patch the writer then drops.
 */
function writableOn(sides: LeadSides, fields: Partial<Lead>): Partial<Lead> {
  const record = sides.salesforce;
  if (record?.objectType !== 'Contact') return fields;
  return Object.fromEntries(
    Object.entries(fields).filter(([name]) => Object.hasOwn(record.lead, name)),
  ) as Partial<Lead>;
}

/** What reconcile needs of a record besides its canonical lead: source time, actor, own stage field. */
function sideMeta(record: SystemRecord | null): SideMeta {
  if (!record) return {};
  return {
    modifiedAt: record.modifiedAt,
    ...(record.actor ? { actor: record.actor } : {}),
    ...(record.ownStage !== undefined ? { ownStage: record.ownStage } : {}),
  };
}

/** The tenant's own working hours, else the config's. */
function businessHoursOf(config: DomainConfig, tenant: string): BusinessHours | undefined {
  const tenants = (config as { tenants?: Array<{ id: string; businessHours?: BusinessHours }> }).tenants;
  return tenants?.find((entry) => entry.id === tenant)?.businessHours ?? config.sla.businessHours;
}

/**
 * Runs the domain's `reconcileLead` on one lead and turns its patches into the connectors' `RecordPatch`es:
 * an update of the linked record, a create where the domain says so (HubSpot: upsert by email), nothing
 * for an empty patch. Salesforce updates go to `salesforceWriteId(link)` (the Contact once converted).
 */
export function planLead(
  tenant: string,
  sides: LeadSides,
  state: VersionedState,
  config: DomainConfig,
  now: Date,
  ledger: LedgerEntry[] = [],
): LeadPlan {
  const stored = state.state;
  const result = reconcileLead({
    base: stored?.base ?? null,
    hubspot: sides.hubspot?.lead ?? null,
    salesforce: sides.salesforce?.lead ?? null,
    meta: { hubspot: sideMeta(sides.hubspot), salesforce: sideMeta(sides.salesforce) },
    ledger: ledger.length > 0 ? foldLedger(ledger, config.lifecycle.handoffStage) : null,
    ...(stored ? { timeline: stored.timeline } : {}),
    ...(businessHoursOf(config, tenant) ? { businessHours: businessHoursOf(config, tenant) } : {}),
    config,
    now,
  });
  const failures: RecordFailure[] = [];
  const patches: LeadPlan['patches'] = {};
  const hubspotFields = result.merge.patches.hubspot;
  if (Object.keys(hubspotFields).length > 0) {
    if (sides.hubspot) {
      const patch: HubSpotRecordPatch = {
        id: sides.hubspot.id,
        fields: hubspotFields,
        previousStage: sides.hubspot.lead.stage ?? null,
      };
      if (result.hubspotClearFirst) patch.backwardStageMove = true;
      if (result.ownStageOnly.hubspot) patch.ownStageOnly = true;
      patches.hubspot = patch;
    } else if (sides.missing.hubspot) {
      failures.push(missingFailure(tenant, sides, 'hubspot'));
    } else if (result.create.hubspot) {
      patches.hubspot = { fields: hubspotFields };
    }
  }
  const salesforceFields = writableOn(sides, result.merge.patches.salesforce);
  if (Object.keys(salesforceFields).length > 0) {
    if (sides.salesforce) {
      const id = salesforceWriteId(sides.link) ?? sides.salesforce.id;
      patches.salesforce = {
        id,
        fields: salesforceFields,
        ...(result.ownStageOnly.salesforce ? { ownStageOnly: true } : {}),
      } satisfies RecordPatch;
    } else if (sides.missing.salesforce) {
      failures.push(missingFailure(tenant, sides, 'salesforce'));
    } else if (result.create.salesforce) {
      patches.salesforce = { fields: salesforceFields };
    }
  }
  return { sides, state, result, patches, failures, fields: config.fields };
}
