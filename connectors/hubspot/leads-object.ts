import { z } from 'zod';
import type { HubSpotLeadsObjectConfig } from '../../src/config/tenant-schema.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { RecordPatch, WriteOutcome } from '../types.ts';
import { chunk, type HubSpotClient } from './client.ts';
import { BATCH_MAX_INPUTS } from './limits.ts';

// The optional HubSpot Leads object (0-136), as a step after the contact writes: a handed-off lead gets a
// Lead record associated with its contact (creating one needs `hs_lead_name` and that association), whose
// pipeline stage follows the shared stage and whose `hs_lead_disqualification_reason` carries the
// rejection reason. Separate from the contact's lifecyclestage / hs_lead_status; the native Salesforce
// integration does not sync it. https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/leads/guide

/** Lead to (primary) contact, HUBSPOT_DEFINED; our understanding, not from the material at hand. */
const LEAD_TO_CONTACT = 578;

/** What one contact's Lead record should become. */
export interface LeadRecordPlan {
  contactId: string;
  /** hs_pipeline_stage to set; undefined leaves it (and means: do not create one for this change). */
  stage: string | undefined;
  /** hs_lead_disqualification_reason to set ('' clears); undefined leaves it. */
  reason: string | undefined;
  /** hs_lead_name for a new record. */
  name: string;
}

/** Pure: the Lead-record changes the contact writes call for (stage or rejection reason written, write succeeded). */
export function planLeadRecords(
  patches: RecordPatch[],
  outcomes: WriteOutcome[],
  config: HubSpotLeadsObjectConfig,
): LeadRecordPlan[] {
  const plans = new Map<string, LeadRecordPlan>();
  patches.forEach((patch, index) => {
    const outcome = outcomes[index];
    if (!outcome?.ok) return;
    const { fields } = patch;
    const stage = typeof fields.stage === 'string' ? config.stages[fields.stage] : undefined;
    const reason =
      'rejectionReason' in fields
        ? typeof fields.rejectionReason === 'string'
          ? fields.rejectionReason
          : ''
        : undefined;
    if (stage === undefined && reason === undefined) return;
    const person = [fields.firstName, fields.lastName]
      .filter((part) => typeof part === 'string' && part)
      .join(' ');
    const name = person || (typeof fields.email === 'string' && fields.email) || `Contact ${outcome.id}`;
    const previous = plans.get(outcome.id);
    plans.set(outcome.id, {
      contactId: outcome.id,
      stage: stage ?? previous?.stage,
      reason: reason ?? previous?.reason,
      name: previous?.name ?? name,
    });
  });
  return [...plans.values()];
}

const AssociationAnswer = z.looseObject({
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }),
      to: z.array(z.looseObject({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
    }),
  ),
});

/** The Lead record already associated with each contact (the first one, when a contact has several). */
async function existingLeads(client: HubSpotClient, contactIds: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const path = `${client.paths.contactLeadAssociations}/batch/read`;
  for (const ids of chunk(contactIds, BATCH_MAX_INPUTS)) {
    const info = await client.request({ method: 'POST', path, body: { inputs: ids.map((id) => ({ id })) } });
    for (const result of AssociationAnswer.parse(info.data).results) {
      const lead = result.to[0]?.toObjectId;
      if (lead) found.set(result.from.id, lead);
    }
  }
  return found;
}

/** A new Lead record is named after its contact (first and last name, else email), read in one batch. */
async function withContactNames(client: HubSpotClient, plans: LeadRecordPlan[]): Promise<LeadRecordPlan[]> {
  if (plans.length === 0) return plans;
  const read = await client.batchRead(
    plans.map((plan) => plan.contactId),
    ['firstname', 'lastname', 'email'],
  );
  const names = new Map(
    read.results.map((contact) => {
      const { firstname, lastname, email } = contact.properties;
      return [contact.id, [firstname, lastname].filter(Boolean).join(' ') || email || ''];
    }),
  );
  return plans.map((plan) => ({ ...plan, name: names.get(plan.contactId) || plan.name }));
}

export interface LeadRecordsResult {
  created: number;
  updated: number;
  /** Per-contact failures; the contacts themselves were written. */
  errors: Array<{ contactId: string; error: PermanentError }>;
}

function leadProperties(plan: LeadRecordPlan): Record<string, string> {
  return {
    ...(plan.stage === undefined ? {} : { hs_pipeline_stage: plan.stage }),
    ...(plan.reason === undefined ? {} : { hs_lead_disqualification_reason: plan.reason }),
  };
}

/**
 * Applies `plans`: updates the contact's Lead record, or creates one (with its association) when there is
 * none and the plan sets a stage. A refused batch is retried record by record so each contact gets its own
 * error; rate limits and transient failures are thrown (the whole job is retried; every step is idempotent
 * except that a Lead record created just before a crash is found again by its association).
 */
export async function syncLeadRecords(
  client: HubSpotClient,
  plans: LeadRecordPlan[],
  config: HubSpotLeadsObjectConfig,
): Promise<LeadRecordsResult> {
  const result: LeadRecordsResult = { created: 0, updated: 0, errors: [] };
  if (plans.length === 0) return result;
  const existing = await existingLeads(
    client,
    plans.map((plan) => plan.contactId),
  );
  const updates = plans.filter((plan) => existing.has(plan.contactId));
  const creates = await withContactNames(
    client,
    plans.filter((plan) => !existing.has(plan.contactId) && plan.stage !== undefined),
  );
  const send = async (action: 'update' | 'create', batch: LeadRecordPlan[]): Promise<void> => {
    const body = {
      inputs: batch.map((plan) =>
        action === 'update'
          ? { id: existing.get(plan.contactId), properties: leadProperties(plan) }
          : {
              properties: { hs_lead_name: plan.name, hs_pipeline: config.pipeline, ...leadProperties(plan) },
              associations: [
                {
                  to: { id: plan.contactId },
                  types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: LEAD_TO_CONTACT }],
                },
              ],
            },
      ),
    };
    try {
      await client.request({ method: 'POST', path: `${client.paths.leads}/batch/${action}`, body });
      if (action === 'update') result.updated += batch.length;
      else result.created += batch.length;
    } catch (err) {
      if (!(err instanceof PermanentError) || err.status === 401 || err.status === 403) throw err;
      if (batch.length === 1) {
        result.errors.push({ contactId: (batch[0] as LeadRecordPlan).contactId, error: err });
        return;
      }
      for (const plan of batch) await send(action, [plan]);
    }
  };
  for (const batch of chunk(updates, BATCH_MAX_INPUTS)) await send('update', batch);
  for (const batch of chunk(creates, BATCH_MAX_INPUTS)) await send('create', batch);
  return result;
}
