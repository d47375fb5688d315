import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { LeadLink } from '../src/store/lead-link.ts';
import type { EngineDeps } from './engine.ts';

export type LinkMaintenanceDeps = Pick<EngineDeps, 'links' | 'state' | 'audit' | 'logger'>;

/** What a change event did to the link table, and whether its record still needs reconciling. */
export interface LinkMaintenance {
  /** The lead the record belongs to, when it is linked. */
  link: LeadLink | null;
  /** False for a privacy deletion: the person is forgotten, nothing is synced from that record again. */
  reconcile: boolean;
}

/**
 * Keeps the link table in step with what happened to a record before it is reconciled, so reconcile
 * resolves ids to the right lead:
 * - deleted: the slot is emptied, the id keeps resolving (a HubSpot restore brings it back);
 * - privacy_deleted: the slot, the id and the email are dropped, and so are the lead's sync state and
 *   audit trail (HubSpot's GDPR delete asks integrations to forget the person);
 * - merged (HubSpot `contact.merge` or `hs_merged_object_ids`; Salesforce `MasterRecordId`): every loser
 *   id now resolves to the winner's lead, and the loser's lead's other-side record follows it;
 * - restored (HubSpot): the id returns to its lead's empty slot.
 * Other kinds change no link: reconcile links new records by email and follows conversions itself.
 */
export async function maintainLinks(
  deps: LinkMaintenanceDeps,
  event: ChangeEvent,
  now: Date,
): Promise<LinkMaintenance> {
  const { tenant, system, objectId } = event;
  switch (event.kind) {
    case 'deleted':
      return { link: await deps.links.retire(tenant, system, objectId, 'deleted', now), reconcile: true };
    case 'privacy_deleted': {
      const link = await deps.links.retire(tenant, system, objectId, 'privacy_deleted', now);
      if (link) {
        await deps.state.delete(tenant, [link.leadKey]);
        await deps.audit.delete(tenant, [link.leadKey]);
      }
      return { link, reconcile: false };
    }
    case 'merged': {
      if (!event.mergedIds?.length) break;
      if (system === 'salesforce') {
        const outcome = await deps.links.applySalesforceMerge(tenant, objectId, event.mergedIds, now);
        return {
          link: outcome.leadKey ? await deps.links.get(tenant, outcome.leadKey) : null,
          reconcile: true,
        };
      }
      // Polling sees `hs_merged_object_ids` on every later change of the survivor: a merge already
      // applied writes nothing again.
      const applied = await appliedMerge(deps, tenant, objectId, event.mergedIds);
      if (applied) return { link: applied, reconcile: true };
      const outcome = await deps.links.applyHubSpotMerge(tenant, objectId, event.mergedIds, now);
      if (outcome.absorbed.length > 0) {
        deps.logger.info(
          { tenant, winner: objectId, absorbed: outcome.absorbed },
          'merge absorbed other leads',
        );
      }
      return {
        link: outcome.leadKey ? await deps.links.get(tenant, outcome.leadKey) : null,
        reconcile: true,
      };
    }
    case 'restored': {
      const former = await deps.links.find(tenant, system, objectId);
      if (system !== 'hubspot' || !former || former.hubspot !== null)
        return { link: former, reconcile: true };
      const outcome = await deps.links.link(tenant, { leadKey: former.leadKey, hubspot: objectId }, now);
      if (former.email) await deps.links.liftTombstone(tenant, former.email);
      if (!outcome.ok) deps.logger.warn({ tenant, objectId, outcome }, 'restored contact not relinked');
      return { link: outcome.ok ? outcome.link : former, reconcile: true };
    }
    default:
      break;
  }
  return { link: await deps.links.find(tenant, system, objectId), reconcile: true };
}

/** The winner's link when every loser id already resolves to it (the merge was applied before). */
async function appliedMerge(
  deps: LinkMaintenanceDeps,
  tenant: string,
  winnerId: string,
  loserIds: string[],
): Promise<LeadLink | null> {
  const { found } = await deps.links.findMany(tenant, 'hubspot', [winnerId, ...loserIds]);
  const winner = found.get(winnerId);
  if (!winner || winner.hubspot !== winnerId) return null;
  return loserIds.every((id) => found.get(id)?.leadKey === winner.leadKey) ? winner : null;
}
