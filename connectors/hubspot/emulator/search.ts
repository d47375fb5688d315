import {
  SEARCH_MAX_FILTERS_PER_GROUP,
  SEARCH_MAX_FILTERS_TOTAL,
  SEARCH_MAX_FILTER_GROUPS,
  SEARCH_PAGE_MAX,
  SEARCH_RESULT_CAP,
} from '../limits.ts';
import { badRequest, EmulatorError } from './errors.ts';
import type { PropertyDefinition } from './property-catalog.ts';
import { parseInstant, type StoredContact } from './store.ts';

// POST /crm/v3/objects/contacts/search as https://developers.hubspot.com/docs/api/crm/search describes
// it: filter groups ORed, filters ANDed, one sort, `after` offsets, 200 per page, 10,000 results at most.

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchBody {
  filterGroups?: Array<{ filters?: Filter[] }>;
  sorts?: Array<string | { propertyName?: string; direction?: string }>;
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

type Kind = 'number' | 'time' | 'enum' | 'text';

function kindOf(definition: PropertyDefinition | undefined): Kind {
  if (!definition) return 'text';
  if (definition.type === 'number') return 'number';
  if (definition.type === 'datetime' || definition.type === 'date') return 'time';
  if (definition.type === 'enumeration') return 'enum';
  return 'text';
}

function comparable(value: string, kind: Kind): number | string {
  if (kind === 'number') return Number(value);
  if (kind === 'time') return parseInstant(value);
  // String filters are case-insensitive; enumeration values are matched exactly (search docs).
  return kind === 'enum' ? value : value.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A contact's value of `property` in comparable form; the three system stamps without parsing. */
function valueOf(contact: StoredContact, property: string, kind: Kind): number | string | undefined {
  if (property === 'lastmodifieddate') return contact.updatedAt;
  if (property === 'createdate') return contact.createdAt;
  if (property === 'hs_object_id') return Number(contact.id);
  const raw = contact.properties[property];
  return raw === undefined ? undefined : comparable(raw, kind);
}

function matches(contact: StoredContact, filter: Filter, kind: Kind, value: number | string): boolean {
  const actual = valueOf(contact, filter.propertyName, kind);
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return actual !== undefined;
    case 'NOT_HAS_PROPERTY':
      return actual === undefined;
  }
  if (actual === undefined) return filter.operator === 'NEQ' || filter.operator === 'NOT_IN';
  switch (filter.operator) {
    case 'EQ':
      return compare(actual, value) === 0;
    case 'NEQ':
      return compare(actual, value) !== 0;
    case 'LT':
      return compare(actual, value) < 0;
    case 'LTE':
      return compare(actual, value) <= 0;
    case 'GT':
      return compare(actual, value) > 0;
    case 'GTE':
      return compare(actual, value) >= 0;
    case 'BETWEEN':
      return compare(actual, value) >= 0 && compare(actual, comparable(filter.highValue ?? '', kind)) <= 0;
    case 'IN':
      return (filter.values ?? []).some((candidate) => compare(actual, comparable(candidate, kind)) === 0);
    case 'NOT_IN':
      return !(filter.values ?? []).some((candidate) => compare(actual, comparable(candidate, kind)) === 0);
    case 'CONTAINS_TOKEN':
      return String(actual).includes(String(value).replaceAll('*', ''));
    case 'NOT_CONTAINS_TOKEN':
      return !String(actual).includes(String(value).replaceAll('*', ''));
    default:
      throw badRequest(`Unknown operator ${filter.operator}`, 'INVALID_OPERATOR');
  }
}

/** Ties in the sort come back in an order unrelated to id, as HubSpot gives no guarantee about it. */
function tieOrder(id: string): number {
  return Math.imul(Number(id.slice(-9)), 2654435761) >>> 0;
}

function parseSort(sorts: SearchBody['sorts']): { property: string; descending: boolean } | undefined {
  const sort = sorts?.[0];
  if (sort === undefined) return undefined;
  if (typeof sort === 'string') {
    return sort.startsWith('-')
      ? { property: sort.slice(1), descending: true }
      : { property: sort, descending: false };
  }
  return { property: sort.propertyName ?? 'hs_object_id', descending: sort.direction === 'DESCENDING' };
}

export interface SearchResult {
  total: number;
  page: StoredContact[];
  /** Offset of the next page, when there is one. */
  nextAfter: number | undefined;
}

export function search(
  contacts: Iterable<StoredContact>,
  body: SearchBody,
  definitions: Map<string, PropertyDefinition>,
  visibleBefore: number,
): SearchResult {
  const groups = body.filterGroups ?? [];
  const filterCount = groups.reduce((sum, group) => sum + (group.filters?.length ?? 0), 0);
  if (
    groups.length > SEARCH_MAX_FILTER_GROUPS ||
    groups.some((group) => (group.filters?.length ?? 0) > SEARCH_MAX_FILTERS_PER_GROUP) ||
    filterCount > SEARCH_MAX_FILTERS_TOTAL
  )
    throw badRequest(
      `Too many filters: at most ${SEARCH_MAX_FILTER_GROUPS} filterGroups of ${SEARCH_MAX_FILTERS_PER_GROUP} filters, ${SEARCH_MAX_FILTERS_TOTAL} in total`,
      'TOO_MANY_FILTERS',
    );
  const limit = body.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_PAGE_MAX)
    throw badRequest(`limit must be between 0 and ${SEARCH_PAGE_MAX}`, 'INVALID_LIMIT');
  const offset = body.after === undefined || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0)
    throw badRequest(`after must be a non-negative integer`, 'INVALID_AFTER');
  if (offset + limit > SEARCH_RESULT_CAP)
    // The documented limit; the wording of HubSpot's own message is not published.
    throw new EmulatorError(
      400,
      'VALIDATION_ERROR',
      `Search results are limited to ${SEARCH_RESULT_CAP} total; cannot page past result ${SEARCH_RESULT_CAP}.`,
      {
        errors: [{ message: 'paging past 10000 results is not supported', code: 'SEARCH_RESULT_LIMIT' }],
      },
    );

  const prepared = groups.map((group) =>
    (group.filters ?? []).map((filter) => {
      if (!filter.propertyName || !filter.operator)
        throw badRequest('Each filter needs propertyName and operator');
      const kind = kindOf(definitions.get(filter.propertyName));
      return { filter, kind, value: comparable(filter.value ?? '', kind) };
    }),
  );
  const hits: StoredContact[] = [];
  for (const contact of contacts) {
    if (contact.archived || contact.updatedAt > visibleBefore) continue;
    if (
      prepared.length > 0 &&
      !prepared.some((group) =>
        group.every(({ filter, kind, value }) => matches(contact, filter, kind, value)),
      )
    )
      continue;
    hits.push(contact);
  }
  const sort = parseSort(body.sorts) ?? { property: 'hs_object_id', descending: false };
  const total = hits.length;
  const next = offset + limit;
  const nextAfter = next < total && next < SEARCH_RESULT_CAP ? next : undefined;
  if (sort.property === 'hs_object_id' && !sort.descending) {
    // The store keeps contacts in id order already: no sort needed (the mass-update drains rely on this).
    return { total, page: hits.slice(offset, offset + limit), nextAfter };
  }
  const kind = kindOf(definitions.get(sort.property));
  const keyed = hits.map((contact) => ({
    contact,
    key: valueOf(contact, sort.property, kind),
    tie: tieOrder(contact.id),
  }));
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined)
      return a.key === b.key ? a.tie - b.tie : a.key === undefined ? 1 : -1;
    const order = compare(a.key, b.key) * (sort.descending ? -1 : 1);
    return order !== 0 ? order : a.tie - b.tie;
  });
  return { total, page: keyed.slice(offset, offset + limit).map((entry) => entry.contact), nextAfter };
}
