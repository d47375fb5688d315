import type {
  PropertyCreate,
  PropertyGroupCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { z } from 'zod';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { HubSpotClient } from './client.ts';

// https://developers.hubspot.com/docs/api/crm/properties (dated: /crm/properties/<version>/{objectType})

/** A property as `install` needs to compare it. */
export interface PropertySummary {
  name: string;
  type: string;
  fieldType: string;
  groupName: string;
}

const WireGroup = z.looseObject({ name: z.string(), label: z.string() });
const WireProperties = z.looseObject({
  results: z.array(
    z.looseObject({ name: z.string(), type: z.string(), fieldType: z.string(), groupName: z.string() }),
  ),
});

function isNotFound(err: unknown): boolean {
  return err instanceof PermanentError && err.status === 404;
}

/** The contact property group `name`, or null when the portal has none. */
export async function getPropertyGroup(
  client: HubSpotClient,
  name: string,
): Promise<{ name: string; label: string } | null> {
  const groups = client.paths.contactPropertyGroups;
  try {
    const info = await client.request(
      { method: 'GET', path: `${groups}/${encodeURIComponent(name)}` },
      'standard',
      `GET ${groups}/{groupName}`,
    );
    const group = WireGroup.parse(info.data);
    return { name: group.name, label: group.label };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function createPropertyGroup(client: HubSpotClient, group: PropertyGroupCreate): Promise<void> {
  await client.request({ method: 'POST', path: client.paths.contactPropertyGroups, body: group });
}

/** Every contact property, by name (one call). */
export async function listProperties(client: HubSpotClient): Promise<Map<string, PropertySummary>> {
  const info = await client.request({
    method: 'GET',
    path: client.paths.contactProperties,
    query: { archived: 'false' },
  });
  return new Map(
    WireProperties.parse(info.data).results.map((property) => [
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
  await client.request({ method: 'POST', path: client.paths.contactProperties, body: property });
}
