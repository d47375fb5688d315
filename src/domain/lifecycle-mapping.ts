import { z } from 'zod';
import { isKnownStage, isSideState } from './lifecycle.ts';
import { SIDE_STATES, type LifecycleConfig } from './lifecycle-schema.ts';
import { hasText, isBlank } from './values.ts';

/**
 * What the HubSpot connector reads off a contact to tell its stage. `leadbridgeStage` is our own
 * custom property (`customFields.hubspot.stage`, default `leadbridge_stage`).
 */
export const HubSpotStageFields = z.object({
  lifecyclestage: z.string().nullish(),
  hs_lead_status: z.string().nullish(),
  leadbridgeStage: z.string().nullish(),
});
export type HubSpotStageFields = z.infer<typeof HubSpotStageFields>;

/** What the Salesforce connector reads off a Lead: `Status` and our `LeadBridge_Stage__c` (renameable). */
export const SalesforceStageFields = z.object({
  status: z.string().nullish(),
  leadbridgeStage: z.string().nullish(),
});
export type SalesforceStageFields = z.infer<typeof SalesforceStageFields>;

export interface StageReading {
  stage: string | null;
  /** Where the stage came from: our own stage field, the system's native fields, or nowhere. */
  source: 'leadbridge_stage' | 'native' | 'none';
  explanation: string;
}

/**
 * HubSpot internal lifecyclestage values in the default pipeline order. Used only for values the config
 * does not map from a shared stage. https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide
 */
export const HUBSPOT_DEFAULT_LIFECYCLE_ORDER = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

const same = (a: string | null | undefined, b: string | undefined) =>
  b === undefined || isBlank(a) || a === b;

/** The shared stage HubSpot's native fields say, ignoring our own property. */
export function stageFromHubSpotNative(
  fields: HubSpotStageFields,
  lifecycle: LifecycleConfig,
): string | null {
  const { lifecyclestage: lifecycleMap, leadStatus } = lifecycle.hubspot;
  // A lifecyclestage value that only a side state writes (default: `other` = disqualified) means that state.
  const onlySide = SIDE_STATES.find(
    (state) =>
      !isBlank(fields.lifecyclestage) &&
      lifecycleMap[state] === fields.lifecyclestage &&
      !lifecycle.stages.some((stage) => lifecycleMap[stage] === fields.lifecyclestage),
  );
  if (onlySide) return onlySide;
  // A side state shows in hs_lead_status; it counts unless lifecyclestage has since moved off the value
  // that side state writes (a recycled lead re-qualified by marketing keeps its BAD_TIMING status).
  if (!isBlank(fields.hs_lead_status)) {
    const side = SIDE_STATES.find(
      (state) =>
        leadStatus[state] === fields.hs_lead_status && same(fields.lifecyclestage, lifecycleMap[state]),
    );
    if (side) return side;
  }
  if (isBlank(fields.lifecyclestage)) return null;
  return lifecycle.stages.find((stage) => lifecycleMap[stage] === fields.lifecyclestage) ?? null;
}

/**
 * The shared stage of a HubSpot contact. Our `leadbridge_stage` property is exact (it tells `rejected` from
 * `disqualified`, `recycled` from `lead`), so it is preferred while the native fields still show what that
 * stage writes; once someone in HubSpot has changed them, their change is what the native fields say.
 */
export function stageFromHubSpot(fields: HubSpotStageFields, lifecycle: LifecycleConfig): StageReading {
  const ours = fields.leadbridgeStage;
  const native = stageFromHubSpotNative(fields, lifecycle);
  if (isKnownStage(ours, lifecycle)) {
    const matches =
      same(fields.lifecyclestage, lifecycle.hubspot.lifecyclestage[ours]) &&
      same(fields.hs_lead_status, lifecycle.hubspot.leadStatus[ours]);
    if (matches || native === null) {
      return { stage: ours, source: 'leadbridge_stage', explanation: `leadbridge_stage is ${ours}` };
    }
  }
  if (native !== null) {
    const shown = [fields.lifecyclestage, fields.hs_lead_status].filter((value) => !isBlank(value)).join('/');
    return { stage: native, source: 'native', explanation: `HubSpot shows ${shown}, i.e. ${native}` };
  }
  return { stage: null, source: 'none', explanation: 'no mapped lifecyclestage or hs_lead_status' };
}

/** The shared stage a Salesforce Lead `Status` stands for, if the config maps it. */
export function stageForSalesforceStatus(
  status: string | null | undefined,
  lifecycle: LifecycleConfig,
): string | null {
  if (!hasText(status)) return null;
  const stage = lifecycle.salesforce.status[status];
  return isKnownStage(stage, lifecycle) ? stage : null;
}

/**
 * The Salesforce `Status` to write for a shared stage: the first status mapped to it. Undefined when no
 * status stands for the stage (e.g. `customer`): leave `Status` as it is then.
 */
export function salesforceStatusForStage(stage: string, lifecycle: LifecycleConfig): string | undefined {
  return Object.entries(lifecycle.salesforce.status).find(([, mapped]) => mapped === stage)?.[0];
}

/**
 * The shared stage of a Salesforce Lead. `LeadBridge_Stage__c` is preferred when `Status` cannot express
 * that stage (no status maps to it, so `Status` is whatever it was before) or agrees with it; a `Status`
 * that stands for another stage means a rep changed it, and that change is what counts.
 */
export function stageFromSalesforce(fields: SalesforceStageFields, lifecycle: LifecycleConfig): StageReading {
  const ours = fields.leadbridgeStage;
  const native = stageForSalesforceStatus(fields.status, lifecycle);
  if (isKnownStage(ours, lifecycle)) {
    const expressible = salesforceStatusForStage(ours, lifecycle) !== undefined;
    if (!expressible || native === null || native === ours) {
      return { stage: ours, source: 'leadbridge_stage', explanation: `LeadBridge stage field is ${ours}` };
    }
  }
  if (native !== null) {
    return { stage: native, source: 'native', explanation: `Status "${fields.status}" means ${native}` };
  }
  return {
    stage: null,
    source: 'none',
    explanation: `Status ${JSON.stringify(fields.status)} is not mapped`,
  };
}

/**
 * HubSpot properties that carry a shared stage (our own `leadbridge_stage` is written by the connector
 * from the canonical `stage` field besides these). A property the stage has no value for is left alone,
 * except that leaving a side state clears the `hs_lead_status` it had set.
 */
export function hubspotStageProperties(
  stage: string,
  lifecycle: LifecycleConfig,
  previousStage?: string | null,
): { lifecyclestage?: string; hs_lead_status?: string | null } {
  const properties: { lifecyclestage?: string; hs_lead_status?: string | null } = {};
  const lifecyclestage = lifecycle.hubspot.lifecyclestage[stage];
  if (lifecyclestage !== undefined) properties.lifecyclestage = lifecyclestage;
  const status = lifecycle.hubspot.leadStatus[stage];
  if (status !== undefined) properties.hs_lead_status = status;
  else if (isSideState(previousStage) && lifecycle.hubspot.leadStatus[previousStage] !== undefined) {
    properties.hs_lead_status = null;
  }
  return properties;
}

/** Position of a lifecyclestage value: the config's stage order first, HubSpot's default order for the rest. */
function lifecycleValueRank(value: string, lifecycle: LifecycleConfig): number | null {
  const index = lifecycle.stages.findIndex((stage) => lifecycle.hubspot.lifecyclestage[stage] === value);
  return index >= 0 ? index : null;
}

/**
 * True when setting lifecyclestage from `from` to `to` goes backwards in HubSpot's order, which HubSpot
 * refuses unless the property is cleared first. Values the config does not order are compared in HubSpot's
 * default order when both are default values; otherwise any change counts as backward, because clearing
 * first is always accepted while a refused write is not.
 * https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/guide ("you can only set the value
 * forward in the stage order")
 */
export function isBackwardLifecyclestage(
  from: string | null | undefined,
  to: string | null | undefined,
  lifecycle: LifecycleConfig,
): boolean {
  if (!hasText(from) || !hasText(to) || from === to) return false;
  const fromRank = lifecycleValueRank(from, lifecycle);
  const toRank = lifecycleValueRank(to, lifecycle);
  if (fromRank !== null && toRank !== null) return toRank < fromRank;
  const order: readonly string[] = HUBSPOT_DEFAULT_LIFECYCLE_ORDER;
  if (order.includes(from) && order.includes(to)) return order.indexOf(to) < order.indexOf(from);
  return true;
}

/**
 * True when writing shared stage `to` needs HubSpot's clear-then-set: the lifecyclestage value `to` writes
 * sits before the contact's current one. Pass the contact's current lifecyclestage when the connector has
 * it; otherwise the value `from` writes is used, and a side state that writes none (`rejected`) counts as
 * backward, since the contact still holds its earlier, further-along value. Do this only for explicit moves.
 */
export function hubspotNeedsClear(
  move: { from: string | null | undefined; to: string; currentLifecyclestage?: string | null },
  lifecycle: LifecycleConfig,
): boolean {
  const toValue = lifecycle.hubspot.lifecyclestage[move.to];
  if (toValue === undefined) return false;
  if (move.currentLifecyclestage !== undefined) {
    return isBackwardLifecyclestage(move.currentLifecyclestage, toValue, lifecycle);
  }
  if (typeof move.from !== 'string') return false;
  const fromValue = lifecycle.hubspot.lifecyclestage[move.from];
  if (fromValue === undefined) return isSideState(move.from);
  return isBackwardLifecyclestage(fromValue, toValue, lifecycle);
}
