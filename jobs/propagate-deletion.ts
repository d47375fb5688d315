import type { ChangeEvent } from '../src/domain/change-event.ts';
import type { SystemName } from '../src/domain/lead.ts';
import type { LeadLink } from '../src/store/lead-link.ts';
import type { EngineDeps } from './engine.ts';

export type PropagationDeps = Pick<EngineDeps, 'config' | 'links' | 'audit' | 'logger'> &
  Partial<Pick<EngineDeps, 'connectors'>>;

/** Pure: the other system's record of a link, the one a propagated deletion removes. */
export function counterpartOf(
  link: LeadLink,
  deletedIn: SystemName,
): { system: SystemName; id: string } | null {
  if (deletedIn === 'salesforce') return link.hubspot ? { system: 'hubspot', id: link.hubspot } : null;
  // A converted person lives on as the Contact; that is the record sales works.
  const id = link.salesforceContact ?? link.salesforceLead;
  return id ? { system: 'salesforce', id } : null;
}

/**
 * The tenant's `onDelete: propagate` policy: a record deleted (or GDPR-deleted) in one system deletes
 * the other system's record of the link too (HubSpot: archive; Salesforce: delete), and retires it with
 * the same reason, so the tombstone says both went. Returns true when nothing of the lead is left to sync.
 * Safe to repeat: the counterpart's slot is emptied only once it is gone, and a record already gone
 * counts as deleted; the echo of our own delete finds an empty slot and does nothing.
 */
export async function propagateDeletion(
  deps: PropagationDeps,
  event: ChangeEvent,
  link: LeadLink | null,
  now: Date,
  /** The person's email as the link held it before the deletion (a privacy deletion drops it). */
  email: string | null = link?.email ?? null,
): Promise<boolean> {
  if (event.kind !== 'deleted' && event.kind !== 'privacy_deleted') return false;
  const tenant = deps.config.tenants.find((candidate) => candidate.id === event.tenant);
  if (tenant?.onDelete !== 'propagate' || link === null) return false;
  const counterpart = counterpartOf(link, event.system);
  if (counterpart === null) return false;
  const connector = deps.connectors?.get(event.tenant)?.[counterpart.system];
  if (!connector?.remove)
    throw new Error(
      `no ${counterpart.system} connector for tenant "${event.tenant}" to propagate a deletion with`,
    );
  const [outcome] = await connector.remove([counterpart.id]);
  const at = now.toISOString();
  const privacy = event.kind === 'privacy_deleted';
  if (outcome?.ok) {
    await deps.links.retire(event.tenant, counterpart.system, counterpart.id, event.kind, now, event.system);
    if (email) await deps.links.markPropagated(event.tenant, email);
    // A privacy deletion forgets the person: no audit entry names the record.
    if (!privacy) {
      await deps.audit.append(event.tenant, link.leadKey, {
        type: 'record_deleted',
        at,
        system: counterpart.system,
        recordId: counterpart.id,
        after: event.system,
        policy: 'propagate',
      });
    }
    return true;
  }
  const error = outcome && !outcome.ok ? outcome.error : 'no outcome';
  deps.logger.warn(
    { tenant: event.tenant, system: counterpart.system, recordId: counterpart.id, err: error },
    'onDelete propagate: the other system refused the delete',
  );
  if (!privacy) {
    await deps.audit.append(event.tenant, link.leadKey, {
      type: 'record_deleted',
      at,
      system: counterpart.system,
      recordId: counterpart.id,
      after: event.system,
      policy: 'propagate',
      error,
    });
  }
  return false;
}
