import { DEFAULT_READ_PROPERTIES } from './property-catalog.ts';
import type { StoredContact } from './store.ts';

/** The requested properties plus the defaults every read returns; unset ones are left out. */
export function pickProperties(
  contact: StoredContact,
  requested: readonly string[] | undefined,
): Record<string, string> {
  const names = new Set<string>([
    ...DEFAULT_READ_PROPERTIES,
    ...(requested ?? ['email', 'firstname', 'lastname']),
  ]);
  const properties: Record<string, string> = {};
  for (const name of names) {
    const value = contact.properties[name];
    if (value !== undefined) properties[name] = value;
  }
  return properties;
}

/** A contact as the API returns it (SimplePublicObject). */
export function contactResource(
  contact: StoredContact,
  requested?: readonly string[],
): Record<string, unknown> {
  return {
    id: contact.id,
    properties: pickProperties(contact, requested),
    createdAt: new Date(contact.createdAt).toISOString(),
    updatedAt: new Date(contact.updatedAt).toISOString(),
    archived: contact.archived,
    ...(contact.archivedAt === undefined ? {} : { archivedAt: new Date(contact.archivedAt).toISOString() }),
  };
}

/** Query parameters that may repeat or be comma-separated (`properties=a,b&properties=c`). */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) => String(item).split(',')).filter((item) => item.length > 0);
}
