import type {
  PropertyCreate,
  PropertyGroupCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { HubSpotClient } from './client.ts';

// https://developers.hubspot.com/docs/api/crm/properties

/** A property as `install` needs to compare it. */
export interface PropertySummary {
  name: string;
  type: string;
  fieldType: string;
  groupName: string;
}

function isNotFound(err: unknown): boolean {
  return err instanceof PermanentError && err.status === 404;
}

/** The contact property group `name`, or null when the portal has none. */
export async function getPropertyGroup(
  client: HubSpotClient,
  name: string,
): Promise<{ name: string; label: string } | null> {
  try {
    const info = await client.caller.call(
      'GET /crm/v3/properties/contacts/groups/{groupName}',
      'standard',
      () => client.propertiesApi.groups.getByNameWithHttpInfo('contacts', name),
    );
    return { name: info.data.name, label: info.data.label };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function createPropertyGroup(client: HubSpotClient, group: PropertyGroupCreate): Promise<void> {
  await client.caller.call('POST /crm/v3/properties/contacts/groups', 'standard', () =>
    client.propertiesApi.groups.createWithHttpInfo('contacts', group),
  );
}

/** Every contact property, by name (one call). */
export async function listProperties(client: HubSpotClient): Promise<Map<string, PropertySummary>> {
  const info = await client.caller.call('GET /crm/v3/properties/contacts', 'standard', () =>
    client.propertiesApi.core.getAllWithHttpInfo('contacts', false),
  );
  return new Map(
    info.data.results.map((property) => [
      property.name,
      {
        name: property.name,
        type: property.type,
        fieldType: property.fieldType,
        groupName: property.groupName,
      },
    ]),
  );
}

export async function createProperty(client: HubSpotClient, property: PropertyCreate): Promise<void> {
  await client.caller.call('POST /crm/v3/properties/contacts', 'standard', () =>
    client.propertiesApi.core.createWithHttpInfo('contacts', property),
  );
}
