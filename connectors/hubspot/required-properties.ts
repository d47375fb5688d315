import { z } from 'zod';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { SetupCheck } from '../types.ts';
import type { HubSpotClient } from './client.ts';
import type { MappingConfig } from './mapping.ts';

// From API version 2026-09 HubSpot refuses an API create that lacks a property the portal requires on
// record creation (changelog "CRM API write validation enforcement", live 2026-09-08). The portal's
// setting is read from the contacts object schema (`requiredProperties`).

/** The error code of a create refused for a missing required property (as our emulator words it). */
export const REQUIRED_PROPERTY_MISSING = 'REQUIRED_PROPERTY_MISSING';

const ObjectSchema = z.looseObject({ requiredProperties: z.array(z.string()).default([]) });

/** Whether `version` enforces required properties on creates. */
export function enforcesRequiredProperties(version: string): boolean {
  return version !== 'v3' && version >= '2026-09';
}

/** The portal's required contact properties, or null when the API does not expose them to this token. */
export async function readRequiredProperties(client: HubSpotClient): Promise<string[] | null> {
  try {
    const info = await client.request({ method: 'GET', path: client.paths.contactSchema });
    return ObjectSchema.parse(info.data).requiredProperties;
  } catch (err) {
    if (err instanceof PermanentError && (err.status === 403 || err.status === 404)) return null;
    throw err;
  }
}

/** Pure: the fix for a record HubSpot refused because `properties` were missing on create. */
export function requiredPropertyFix(properties: string[], config: MappingConfig): string {
  const mapped = properties.map((name) => config.fields.find((field) => field.hubspot === name));
  const unmapped = properties.filter((_, index) => !mapped[index]);
  const canonical = mapped.flatMap((field) => (field ? [field.canonical] : []));
  const parts: string[] = [];
  if (canonical.length > 0)
    parts.push(
      `fill ${canonical.join(', ')} on the Salesforce lead (and add ${canonical.join(', ')} to handoff.requiredFields to hold such leads back)`,
    );
  if (unmapped.length > 0)
    parts.push(
      `map ${unmapped.join(', ')} in fields[] so LeadBridge can fill ${unmapped.length > 1 ? 'them' : 'it'}`,
    );
  parts.push(
    'or stop requiring it for records created through the API in HubSpot (Settings > Objects > Contacts)',
  );
  return parts.join('; ');
}

/** The property names a refusal's message or context names as missing. */
export function missingPropertiesOf(
  error: { message: string },
  context?: Record<string, string[]>,
): string[] {
  const fromContext = context?.propertyName ?? [];
  if (fromContext.length > 0) return fromContext;
  return [...error.message.matchAll(/Property \\?"([a-z0-9_]+)\\?" is required/g)].map(
    (match) => match[1] as string,
  );
}

/** install/doctor: which required properties LeadBridge can fill on the contacts it creates. */
export async function checkRequiredProperties(
  client: HubSpotClient,
  config: MappingConfig,
): Promise<SetupCheck> {
  const name = 'hubspot required properties';
  const version = client.paths.version;
  const required = await readRequiredProperties(client);
  if (required === null)
    return {
      name,
      ok: true,
      detail:
        'the portal does not expose its required properties to this token; a create HubSpot refuses for one is reported per record with its fix',
    };
  if (required.length === 0) return { name, ok: true, detail: 'none required on record creation' };
  if (!enforcesRequiredProperties(version))
    return {
      name,
      ok: true,
      detail: `${required.join(', ')} required in the portal; not enforced on API creates at version ${version} (it is from 2026-09)`,
    };
  const written = new Set([
    'email',
    ...config.fields.flatMap((field) => (field.hubspot ? [field.hubspot] : [])),
  ]);
  const unmapped = required.filter((property) => !written.has(property));
  if (unmapped.length > 0)
    return {
      name,
      ok: false,
      detail: `HubSpot refuses contacts created without ${unmapped.join(', ')} (required in the portal), which LeadBridge never writes`,
      fix: requiredPropertyFix(unmapped, config),
    };
  return {
    name,
    ok: true,
    detail: `${required.join(', ')} required on creation; a lead without a value is refused per record (${REQUIRED_PROPERTY_MISSING}) with its fix`,
  };
}

/**
 * A per-record refusal with its fix attached when it is a missing required property; any other error
 * as it came.
 */
export function withRequiredPropertyFix(err: PermanentError, config: MappingConfig): PermanentError {
  if (err.code !== REQUIRED_PROPERTY_MISSING) return err;
  const body = (
    err.cause as { body?: { errors?: Array<{ context?: Record<string, string[]> }> } } | undefined
  )?.body;
  const named = (body?.errors ?? []).flatMap((error) => error.context?.propertyName ?? []);
  const missing = named.length > 0 ? [...new Set(named)] : missingPropertiesOf(err);
  const fix = requiredPropertyFix(missing, config);
  return new PermanentError(
    `HubSpot refused to create the contact: required propert${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')} missing`,
    err.code,
    err.status,
    { cause: err, fix },
  );
}
