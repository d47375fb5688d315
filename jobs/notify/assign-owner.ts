import type { TenantConnectors } from '../../connectors/index.ts';
import { findOwnerByEmail, setContactOwner } from '../../connectors/hubspot/owners.ts';
import {
  readOwners,
  readRecordOwner,
  sameId,
  setRecordOwner,
  type SalesforceOwner,
} from '../../connectors/salesforce/owners.ts';
import type { OwnersConfig } from '../../src/config/owners-schema.ts';
import type { SkipReason } from '../../src/domain/owner-pool-schema.ts';
import { nextInPool } from '../../src/domain/round-robin.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { NotificationOutbox } from '../../src/store/notification-outbox.ts';
import type { RoundRobinStore } from '../../src/store/round-robin-store.ts';

export interface OwnerContext {
  tenant: string;
  key: string;
  config: OwnersConfig;
  connectors: TenantConnectors;
  outbox: NotificationOutbox;
  roundRobin: RoundRobinStore;
  now: () => Date;
}

export interface OwnerDecision {
  ownerId: string | null;
  how: 'assignment_rules' | 'round_robin' | 'fixed' | 'fallback' | 'kept' | 'reassigned';
  detail: string;
  previousOwner: string | null;
}

/** Pool members that cannot take a lead now: inactive or unknown users, users marked away. */
async function unavailable(context: OwnerContext): Promise<Map<string, Exclude<SkipReason, 'capped'>>> {
  const { config } = context;
  const ids = config.pool.map((member) => member.id);
  const found = await readOwners(context.connectors.salesforce.client, ids, config.awayField);
  const byId = (id: string) => found.find((owner) => sameId(owner.id, id));
  const away = new Set(config.away.map((id) => id.slice(0, 15)));
  const out = new Map<string, Exclude<SkipReason, 'capped'>>();
  for (const id of ids) {
    const owner = byId(id);
    if (!owner || !owner.active) out.set(id, 'inactive');
    else if (owner.away || away.has(id.slice(0, 15))) out.set(id, 'away');
  }
  return out;
}

/**
 * The owner of a lead just handed off, by the tenant's strategy, set on the Salesforce record. The pick is
 * remembered under the event's key, so a retried job reuses it rather than taking another slot.
 */
export async function assignOwner(context: OwnerContext, recordId: string): Promise<OwnerDecision> {
  const { config, connectors, tenant, key } = context;
  const client = connectors.salesforce.client;
  const current = await readRecordOwner(client, recordId);
  const base = { previousOwner: current };
  if (config.strategy === 'salesforce_assignment_rules')
    return { ...base, ownerId: current, how: 'assignment_rules', detail: 'the org’s assignment rule chose' };

  let ownerId: string | null = await context.outbox.recall(tenant, key, 'owner');
  let how: OwnerDecision['how'] = config.strategy;
  let detail: string;
  if (ownerId === null) {
    if (config.strategy === 'fixed') {
      ownerId = config.fixedOwner ?? null;
      detail = 'fixed owner';
    } else {
      const skipping = await unavailable(context);
      const pick = await context.roundRobin.pick(tenant, config.pool, skipping, context.now);
      const skipped = Object.entries(pick.skipped).map(([id, why]) => `${id} ${why}`);
      if (pick.ok) {
        ownerId = pick.ownerId;
        detail = `round robin slot ${pick.seq}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`;
      } else {
        ownerId = config.fallbackOwner ?? current;
        how = config.fallbackOwner ? 'fallback' : 'kept';
        detail = `round robin: ${pick.reason.replace('_', ' ')}${skipped.length ? ` (${skipped.join(', ')})` : ''}`;
      }
    }
    if (ownerId !== null) ownerId = await context.outbox.remember(tenant, key, 'owner', ownerId);
  } else {
    detail = 'owner already decided for this handoff';
  }
  if (ownerId !== null && (current === null || !sameId(current, ownerId)))
    await setRecordOwner(client, recordId, ownerId);
  return { ...base, ownerId, how, detail };
}

/** The next available owner in the pool after the current one (escalation), set on the record. */
export async function reassignOwner(context: OwnerContext, recordId: string): Promise<OwnerDecision> {
  const client = context.connectors.salesforce.client;
  const current = await readRecordOwner(client, recordId);
  let ownerId = await context.outbox.recall(context.tenant, context.key, 'owner');
  if (ownerId === null) {
    const next = current ? nextInPool(context.config.pool, current, await unavailable(context)) : null;
    if (next === null)
      return {
        ownerId: current,
        previousOwner: current,
        how: 'kept',
        detail: 'nobody else in the pool can take it',
      };
    ownerId = await context.outbox.remember(context.tenant, context.key, 'owner', next);
  }
  if (current === null || !sameId(current, ownerId)) await setRecordOwner(client, recordId, ownerId);
  return { ownerId, previousOwner: current, how: 'reassigned', detail: 'not followed up in time' };
}

export async function describeOwner(
  connectors: TenantConnectors,
  ownerId: string,
): Promise<SalesforceOwner | null> {
  const [owner] = await readOwners(connectors.salesforce.client, [ownerId]);
  return owner ?? null;
}

/**
 * Writes the owner to the HubSpot contact (`hubspot_owner_id`), matched by email among active HubSpot
 * owners only. A queue, an inactive Salesforce user, or an email HubSpot does not know (or only as a
 * deactivated user) is a classified per-record error; the configured fallback owner is written instead,
 * or nothing. Returns the error, if any, for the trail.
 */
export async function syncHubSpotOwner(
  connectors: TenantConnectors,
  config: OwnersConfig,
  contactId: string,
  owner: SalesforceOwner | null,
): Promise<{ written: string | null; error: PermanentError | null }> {
  let error: PermanentError;
  if (!owner) error = new PermanentError('the lead has no Salesforce owner', 'OWNER_UNKNOWN');
  else if (owner.kind === 'queue')
    error = new PermanentError(
      `owner ${owner.name ?? owner.id} is a queue; HubSpot owners are people`,
      'OWNER_IS_QUEUE',
    );
  else if (!owner.active)
    error = new PermanentError(`Salesforce user ${owner.email ?? owner.id} is inactive`, 'OWNER_INACTIVE');
  else if (!owner.email)
    error = new PermanentError(`Salesforce user ${owner.id} has no email`, 'OWNER_UNKNOWN');
  else {
    const match = await findOwnerByEmail(connectors.hubspot.client, owner.email);
    if (match.kind === 'active') {
      await setContactOwner(connectors.hubspot.client, contactId, match.id);
      return { written: match.id, error: null };
    }
    error =
      match.kind === 'inactive'
        ? new PermanentError(`HubSpot owner ${owner.email} is deactivated`, 'HUBSPOT_OWNER_INACTIVE')
        : new PermanentError(`no HubSpot owner has the email ${owner.email}`, 'HUBSPOT_OWNER_UNKNOWN');
  }
  if (config.hubspotFallbackOwnerId) {
    await setContactOwner(connectors.hubspot.client, contactId, config.hubspotFallbackOwnerId);
    return { written: config.hubspotFallbackOwnerId, error };
  }
  return { written: null, error };
}
