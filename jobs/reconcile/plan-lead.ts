import type { RecordPatch } from '../../connectors/types.ts';
import type { HubSpotRecordPatch } from '../../connectors/hubspot/writer.ts';
import type { Lead, SystemName } from '../../src/domain/lead.ts';
import { reconcileLead, type DomainConfig } from '../../src/domain/reconcile-lead.ts';
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
): LeadPlan {
  const stored = state.state;
  const result = reconcileLead({
    base: stored?.base ?? null,
    hubspot: sides.hubspot?.lead ?? null,
    salesforce: sides.salesforce?.lead ?? null,
    ...(stored ? { timeline: stored.timeline } : {}),
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
      patches.salesforce = { id, fields: salesforceFields } satisfies RecordPatch;
    } else if (sides.missing.salesforce) {
      failures.push(missingFailure(tenant, sides, 'salesforce'));
    } else if (result.create.salesforce) {
      patches.salesforce = { fields: salesforceFields };
    }
  }
  return { sides, state, result, patches, failures };
}
