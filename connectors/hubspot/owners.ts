import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { HubSpotClient } from './client.ts';

/** What HubSpot knows of a person by email: an active owner, a deactivated one, or nobody. */
export type HubSpotOwnerMatch =
  { kind: 'active'; id: string } | { kind: 'inactive'; id: string } | { kind: 'unknown' };

/**
 * The HubSpot owner with this email: active owners first (`archived=false`), then deactivated ones
 * (`archived=true`), so an inactive owner is told apart from an unknown one.
 * https://developers.hubspot.com/docs/api-reference/crm-owners-v3/guide
 */
export async function findOwnerByEmail(client: HubSpotClient, email: string): Promise<HubSpotOwnerMatch> {
  for (const archived of [false, true]) {
    const info = await client.call('GET /crm/v3/owners', 'standard', (sdk) =>
      sdk.crm.owners.ownersApi.getPageWithHttpInfo(email, undefined, 10, archived),
    );
    const match = info.data.results.find((owner) => owner.email?.toLowerCase() === email.toLowerCase());
    if (match) return { kind: archived ? 'inactive' : 'active', id: match.id };
  }
  return { kind: 'unknown' };
}

/**
 * Writes `hubspot_owner_id` on one contact. It is not a synced field, so the echo of this write
 * changes nothing on the next reconcile (no write loop).
 * https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/patch-crm-v3-objects-contacts-contactId
 */
export async function setContactOwner(
  client: HubSpotClient,
  contactId: string,
  ownerId: string,
): Promise<void> {
  if (!/^\d+$/.test(ownerId))
    throw new PermanentError(`${ownerId} is not a HubSpot owner id`, 'INVALID_OWNER_ID');
  await client.call('PATCH /crm/v3/objects/contacts/{contactId}', 'standard', (sdk) =>
    sdk.crm.contacts.basicApi.updateWithHttpInfo(contactId, { properties: { hubspot_owner_id: ownerId } }),
  );
}
