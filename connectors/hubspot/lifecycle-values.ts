import { SIDE_STATES, type LifecycleConfig } from '../../src/domain/lifecycle-schema.ts';
import { LIFECYCLE_ORDER } from './limits.ts';

// A small local mapping between the shared stages and HubSpot's two fields, kept pure. The domain
// layer owns the stage rules; this only translates values.

/** HubSpot's `lifecyclestage` / `hs_lead_status` values for a shared stage or side state (absent: leave as is). */
export function hubspotStageValues(
  stage: string,
  lifecycle: LifecycleConfig,
): { lifecyclestage?: string; hs_lead_status?: string } {
  const values: { lifecyclestage?: string; hs_lead_status?: string } = {};
  const lifecyclestage = lifecycle.hubspot.lifecyclestage[stage];
  const leadStatus = lifecycle.hubspot.leadStatus[stage];
  if (lifecyclestage !== undefined) values.lifecyclestage = lifecyclestage;
  if (leadStatus !== undefined) values.hs_lead_status = leadStatus;
  return values;
}

/**
 * The shared stage a HubSpot contact is in. A lead status mapped to a side state wins (several side
 * states may share one status, e.g. UNQUALIFIED; the stage LeadBridge last wrote breaks the tie);
 * otherwise the ordered stage whose `lifecyclestage` value matches; otherwise what LeadBridge last wrote.
 */
export function stageFromHubSpot(
  properties: { lifecyclestage?: string | null; hs_lead_status?: string | null; recorded?: string | null },
  lifecycle: LifecycleConfig,
): string | null {
  const recorded = properties.recorded || null;
  const sideStates: readonly string[] = SIDE_STATES;
  const status = properties.hs_lead_status;
  if (status) {
    const candidates = Object.entries(lifecycle.hubspot.leadStatus)
      .filter(([stage, value]) => value === status && sideStates.includes(stage))
      .map(([stage]) => stage);
    if (recorded && candidates.includes(recorded)) return recorded;
    // A side state whose lifecyclestage mapping contradicts the contact's (e.g. recycled = lead) does not apply.
    const fitting = candidates.filter((stage) => {
      const expected = lifecycle.hubspot.lifecyclestage[stage];
      return expected === undefined || expected === properties.lifecyclestage;
    });
    if (fitting[0]) return fitting[0];
  }
  const value = properties.lifecyclestage;
  if (value) {
    const stage = lifecycle.stages.find((name) => lifecycle.hubspot.lifecyclestage[name] === value);
    if (stage) return recorded && lifecycle.hubspot.lifecyclestage[recorded] === value ? recorded : stage;
  }
  return recorded;
}

/**
 * True when writing `to` over `from` moves `lifecyclestage` backwards in HubSpot's order, which HubSpot
 * refuses unless the value is cleared first. Unknown (custom, numeric) values are never "backwards".
 */
export function isBackwardLifecycle(from: string | null | undefined, to: string | null | undefined): boolean {
  if (!from || !to) return false;
  const order: readonly string[] = LIFECYCLE_ORDER;
  const a = order.indexOf(from);
  const b = order.indexOf(to);
  return a >= 0 && b >= 0 && b < a;
}
