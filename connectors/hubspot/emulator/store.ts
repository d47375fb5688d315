import { EmulatorError } from './errors.ts';
import {
  defaultGroups,
  defaultProperties,
  type PropertyDefinition,
  type PropertyGroupDefinition,
} from './property-catalog.ts';
import { validateProperties } from './validation.ts';

/** A contact as the emulator keeps it: every value a string, as on the wire; unset means absent. */
export interface StoredContact {
  id: string;
  properties: Record<string, string>;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
}

/** Who made a change, as webhook `changeSource` names it. */
export type ChangeSource = 'CRM_UI' | 'INTEGRATION' | 'IMPORT' | 'FORM' | 'API';

export type StoreChange =
  | {
      type: 'creation' | 'deletion' | 'restore' | 'privacyDeletion';
      objectId: string;
      source: ChangeSource;
      at: number;
    }
  | {
      type: 'propertyChange';
      objectId: string;
      source: ChangeSource;
      at: number;
      propertyName: string;
      propertyValue: string;
    }
  | {
      type: 'merge';
      objectId: string;
      source: ChangeSource;
      at: number;
      primaryObjectId: string;
      mergedObjectIds: string[];
      newObjectId: string;
      numberOfPropertiesMoved: number;
    };

const FIRST_ID = 51_000_000_001;
/** Properties HubSpot maintains itself; they never fire propertyChange notifications. */
const SYSTEM_PROPERTIES = new Set([
  'lastmodifieddate',
  'createdate',
  'hs_object_id',
  'hs_merged_object_ids',
  'hs_updated_by_user_id',
]);

/** The HubSpot user the emulator's person-edit routes (source CRM_UI) act as. */
export const EMULATED_USER_ID = '7000001';

/** `hs_updated_by_user_id` after a change: the user for a change in the UI, none for an integration's. */
function stampUser(contact: StoredContact, source: ChangeSource): void {
  if (source === 'CRM_UI') contact.properties.hs_updated_by_user_id = EMULATED_USER_ID;
  else delete contact.properties.hs_updated_by_user_id;
}

/**
 * The portal's contacts, properties and groups. Writes are validated the way HubSpot validates them
 * (unknown and read-only properties, enumeration options, numbers, dates, emails, and lifecyclestage
 * only moving forward through the API), stamp `lastmodifieddate`, and report each change to `onChange`.
 */
export class ContactStore {
  readonly contacts = new Map<string, StoredContact>();
  readonly properties = new Map<string, PropertyDefinition>();
  readonly groups = new Map<string, PropertyGroupDefinition>();
  readonly #emails = new Map<string, string>();
  /** Merged-away id -> surviving id. */
  readonly aliases = new Map<string, string>();
  /** Properties the portal requires on record creation (Settings > Objects > Contacts). */
  readonly requiredProperties = new Set<string>();
  #nextId = FIRST_ID;
  readonly clock: () => number;
  onChange: (change: StoreChange) => void = () => {};

  constructor(clock: () => number) {
    this.clock = clock;
    this.reset();
  }

  reset(): void {
    this.contacts.clear();
    this.#emails.clear();
    this.aliases.clear();
    this.properties.clear();
    this.groups.clear();
    this.requiredProperties.clear();
    this.#nextId = FIRST_ID;
    const now = new Date(this.clock()).toISOString();
    for (const property of defaultProperties(now)) this.properties.set(property.name, property);
    for (const group of defaultGroups()) this.groups.set(group.name, group);
  }

  get size(): number {
    return this.contacts.size;
  }

  /** The live contact for an id, following merges; undefined when unknown or archived. */
  find(id: string): StoredContact | undefined {
    const contact = this.contacts.get(this.aliases.get(id) ?? id);
    return contact && !contact.archived ? contact : undefined;
  }

  findByEmail(email: string): StoredContact | undefined {
    const id = this.#emails.get(email.trim().toLowerCase());
    return id ? this.find(id) : undefined;
  }

  /** Refuses what HubSpot would refuse; `api` writes may only move lifecyclestage forward. */
  validate(properties: Record<string, unknown>, current: StoredContact | undefined, api: boolean): void {
    validateProperties(this.properties, properties, current, api);
  }

  create(properties: Record<string, string>, source: ChangeSource, at = this.clock()): StoredContact {
    const email = properties.email?.trim().toLowerCase();
    if (email && this.#emails.has(email)) {
      const existing = this.#emails.get(email) as string;
      throw new EmulatorError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing}`);
    }
    const id = String(this.#nextId++);
    const iso = new Date(at).toISOString();
    const contact: StoredContact = {
      id,
      // Contacts created by hand or by a form start as leads (KB "Use lifecycle stages"); API ones do not.
      properties: {
        createdate: iso,
        lastmodifieddate: iso,
        hs_object_id: id,
        ...(source === 'CRM_UI' || source === 'FORM' ? { lifecyclestage: 'lead' } : {}),
      },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    for (const [name, value] of Object.entries(properties))
      if (value !== '') contact.properties[name] = normalize(name, value, this.properties.get(name));
    stampUser(contact, source);
    this.contacts.set(id, contact);
    if (contact.properties.email) this.#emails.set(contact.properties.email, id);
    this.onChange({ type: 'creation', objectId: id, source, at });
    return contact;
  }

  /** Applies changed values; stamps lastmodifieddate only when something changed. Returns the names changed. */
  update(
    contact: StoredContact,
    properties: Record<string, string>,
    source: ChangeSource,
    at = this.clock(),
  ): string[] {
    const changed: string[] = [];
    for (const [name, raw] of Object.entries(properties)) {
      const value = raw === '' ? undefined : normalize(name, raw, this.properties.get(name));
      if (contact.properties[name] === value) continue;
      if (name === 'email') {
        const previous = contact.properties.email;
        if (value && this.#emails.has(value) && this.#emails.get(value) !== contact.id)
          throw new EmulatorError(
            409,
            'CONFLICT',
            `Contact already exists. Existing ID: ${this.#emails.get(value)}`,
          );
        if (previous) this.#emails.delete(previous);
        if (value) this.#emails.set(value, contact.id);
      }
      if (value === undefined) delete contact.properties[name];
      else contact.properties[name] = value;
      changed.push(name);
    }
    if (changed.length === 0) return changed;
    contact.updatedAt = at;
    contact.properties.lastmodifieddate = new Date(at).toISOString();
    stampUser(contact, source);
    for (const name of changed) {
      if (SYSTEM_PROPERTIES.has(name)) continue;
      this.onChange({
        type: 'propertyChange',
        objectId: contact.id,
        source,
        at,
        propertyName: name,
        propertyValue: contact.properties[name] ?? '',
      });
    }
    return changed;
  }

  archive(contact: StoredContact, source: ChangeSource, at = this.clock()): void {
    contact.archived = true;
    contact.archivedAt = at;
    if (contact.properties.email) this.#emails.delete(contact.properties.email);
    this.onChange({ type: 'deletion', objectId: contact.id, source, at });
  }

  restore(id: string, source: ChangeSource, at = this.clock()): StoredContact | undefined {
    const contact = this.contacts.get(id);
    if (!contact || !contact.archived) return undefined;
    contact.archived = false;
    delete contact.archivedAt;
    if (contact.properties.email) this.#emails.set(contact.properties.email, id);
    contact.updatedAt = at;
    contact.properties.lastmodifieddate = new Date(at).toISOString();
    this.onChange({ type: 'restore', objectId: id, source, at });
    return contact;
  }

  /** A GDPR delete: gone for good, with a privacyDeletion notification besides the deletion one. */
  purge(contact: StoredContact, source: ChangeSource, at = this.clock()): void {
    this.archive(contact, source, at);
    this.contacts.delete(contact.id);
    this.onChange({ type: 'privacyDeletion', objectId: contact.id, source, at });
  }

  /** Merges `merged` into `primary`: the primary keeps its id, takes the values it lacks, the other goes. */
  merge(
    primary: StoredContact,
    merged: StoredContact,
    source: ChangeSource,
    at = this.clock(),
  ): StoredContact {
    const moved: Record<string, string> = {};
    for (const [name, value] of Object.entries(merged.properties)) {
      if (SYSTEM_PROPERTIES.has(name) || name === 'email' || primary.properties[name] !== undefined) continue;
      moved[name] = value;
    }
    merged.archived = true;
    merged.archivedAt = at;
    if (merged.properties.email) this.#emails.delete(merged.properties.email);
    this.aliases.set(merged.id, primary.id);
    for (const [alias, target] of this.aliases) if (target === merged.id) this.aliases.set(alias, primary.id);
    const ids = [...(primary.properties.hs_merged_object_ids?.split(';') ?? []), merged.id];
    primary.properties.hs_merged_object_ids = ids.join(';');
    this.update(primary, moved, source, at);
    primary.updatedAt = at;
    primary.properties.lastmodifieddate = new Date(at).toISOString();
    this.onChange({
      type: 'merge',
      objectId: primary.id,
      source,
      at,
      primaryObjectId: primary.id,
      mergedObjectIds: [merged.id],
      newObjectId: primary.id,
      numberOfPropertiesMoved: Object.keys(moved).length,
    });
    return primary;
  }
}

export function parseInstant(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function normalize(name: string, value: string, definition: PropertyDefinition | undefined): string {
  if (name === 'email') return value.trim().toLowerCase();
  if (definition && (definition.type === 'datetime' || definition.type === 'date'))
    return new Date(parseInstant(value)).toISOString();
  return value;
}
