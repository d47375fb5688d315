import type { TenantConnectors } from '../../connectors/index.ts';
import type { SalesforceRecord } from '../../connectors/salesforce/records.ts';
import type { SystemRecord } from '../../connectors/types.ts';
import { choosePrimary } from '../../src/domain/duplicate-choice.ts';
import type { SystemName } from '../../src/domain/lead.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import { normalizeEmail, type LeadLink } from '../../src/store/lead-link.ts';
import type { LeadLinks, LinkLookup } from '../../src/store/lead-links.ts';
import { newLeadKey } from '../../src/store/lead-key.ts';
import type { LinkInput } from '../../src/store/link-plans.ts';
import type { RecordFailure, RecordRef } from '../engine.ts';
import { emptyReadCache, type ReadCache, type SeenRef } from './types.ts';

/** The batch's refs as leads: their links, which refs each lead came from, and records already read. */
export interface ResolvedRefs {
  links: Map<string, LeadLink>;
  refsByLead: Map<string, RecordRef[]>;
  cache: ReadCache;
  failures: RecordFailure[];
}

interface ResolveContext {
  tenant: string;
  links: LeadLinks;
  connectors: TenantConnectors;
  now: Date;
}

/** An unlinked record as read, with the refs that named it. */
interface Unlinked {
  system: SystemName;
  record: SystemRecord | SalesforceRecord;
  refs: RecordRef[];
}

function failure(tenant: string, ref: RecordRef, code: string, message: string): RecordFailure {
  return { tenant, leadKey: null, system: ref.system, recordId: ref.id, code, message, retryable: false };
}

function uniqueRefs(refs: RecordRef[]): RecordRef[] {
  const seen = new Map<string, RecordRef>();
  for (const ref of refs) seen.set(`${ref.system}:${ref.id}`, seen.get(`${ref.system}:${ref.id}`) ?? ref);
  return [...seen.values()];
}

function corruptFailures(tenant: string, system: SystemName, lookup: LinkLookup): RecordFailure[] {
  return lookup.corrupt.map((entry) => ({
    tenant,
    leadKey: null,
    system,
    recordId: entry.field,
    code: 'STORE_CORRUPT',
    message: `link table entry ${entry.key} ${entry.field} is unreadable: ${entry.reason}`,
    retryable: false,
  }));
}

/**
 * The link input for a group of unlinked records sharing an email (or one record without one): the
 * lead the email or a converted Lead id already belongs to, extended by the records' ids. A group with
 * two records for the same slot (should not happen: HubSpot emails are unique) is split.
 */
function linkInputs(
  group: Unlinked[],
  existing: string | undefined,
  now: Date,
): Array<[LinkInput, Unlinked[]]> {
  const inputs: Array<[LinkInput, Unlinked[]]> = [];
  // Records of one new person in one batch must land on one lead, so the key is chosen here, not per input.
  const leadKey = existing ?? newLeadKey(now);
  for (const item of group) {
    const slot = (input: LinkInput) =>
      item.system === 'hubspot'
        ? input.hubspot === undefined
        : input.salesforceLead === undefined && input.salesforceContact === undefined;
    let entry = inputs.find(([input]) => slot(input));
    if (!entry) {
      entry = [{ leadKey: inputs.length === 0 ? leadKey : newLeadKey(now) }, []];
      inputs.push(entry);
    }
    const [input, members] = entry;
    members.push(item);
    const email = item.record.lead.email;
    if (typeof email === 'string' && email.trim() !== '') input.email = email;
    if (item.system === 'hubspot') input.hubspot = item.record.id;
    else {
      const sf = item.record as SalesforceRecord;
      input.salesforceLead = sf.leadId;
      if (sf.objectType === 'Contact') input.salesforceContact = sf.id;
    }
  }
  return inputs;
}

/**
 * Puts the records that came with their refs (a backfill page just read) in the batch's read cache, so
 * neither resolving nor reading the sides asks their system for them again.
 */
function cacheHandedRecords(refs: SeenRef[], cache: ReadCache): void {
  for (const ref of refs) {
    const record = ref.record;
    if (!record || record.id !== ref.id) continue;
    cache.handedReadAt = Math.min(cache.handedReadAt ?? Infinity, ref.recordReadAt ?? 0);
    if (ref.system === 'hubspot') cache.hubspot.set(record.id, record);
    else if ('leadId' in record) {
      cache.salesforce.set(record.id, record);
      cache.salesforce.set(record.leadId, record);
    }
  }
}

/**
 * Reads unlinked records from their system (one call per system, none for records already in the
 * cache) and keys them by the id asked for.
 */
async function readUnlinked(
  context: ResolveContext,
  refs: RecordRef[],
  cache: ReadCache,
): Promise<Map<string, SystemRecord | SalesforceRecord>> {
  const byRef = new Map<string, SystemRecord | SalesforceRecord>();
  const hubspot = (record: SystemRecord) => {
    cache.hubspot.set(record.id, record);
    byRef.set(`hubspot:${record.id}`, record);
  };
  const salesforce = (record: SalesforceRecord) => {
    cache.salesforce.set(record.id, record);
    cache.salesforce.set(record.leadId, record);
    byRef.set(`salesforce:${record.id}`, record);
    byRef.set(`salesforce:${record.leadId}`, record);
  };
  const hubspotIds: string[] = [];
  const salesforceIds: string[] = [];
  for (const ref of refs) {
    if (ref.system === 'hubspot') {
      const cached = cache.hubspot.get(ref.id);
      if (cached) hubspot(cached);
      else hubspotIds.push(ref.id);
    } else {
      const cached = cache.salesforce.get(ref.id);
      if (cached) salesforce(cached);
      else salesforceIds.push(ref.id);
    }
  }
  if (hubspotIds.length > 0)
    for (const record of await context.connectors.hubspot.read(hubspotIds)) hubspot(record);
  if (salesforceIds.length > 0)
    for (const record of await context.connectors.salesforce.read(salesforceIds)) salesforce(record);
  return byRef;
}

/**
 * Resolves a batch's refs to leads with batch lookups: linked ids through the link table's indexes; the
 * others are read from their system, matched to an existing lead by email (or, for a converted Contact,
 * by its Lead id), else given a new lead, and linked in one compare-and-set.
 */
export async function resolveRefs(context: ResolveContext, refs: RecordRef[]): Promise<ResolvedRefs> {
  const { tenant, links } = context;
  const resolved: ResolvedRefs = {
    links: new Map(),
    refsByLead: new Map(),
    cache: emptyReadCache(),
    failures: [],
  };
  cacheHandedRecords(refs, resolved.cache);
  const attach = (link: LeadLink, ref: RecordRef) => {
    resolved.links.set(link.leadKey, link);
    resolved.refsByLead.set(link.leadKey, [...(resolved.refsByLead.get(link.leadKey) ?? []), ref]);
  };
  const unique = uniqueRefs(refs);
  const ids = (system: SystemName) => unique.filter((ref) => ref.system === system).map((ref) => ref.id);
  const [byHubSpot, bySalesforce] = await Promise.all([
    links.findMany(tenant, 'hubspot', ids('hubspot')),
    links.findMany(tenant, 'salesforce', ids('salesforce')),
  ]);
  resolved.failures.push(
    ...corruptFailures(tenant, 'hubspot', byHubSpot),
    ...corruptFailures(tenant, 'salesforce', bySalesforce),
  );
  const unlinkedRefs: RecordRef[] = [];
  for (const ref of unique) {
    const link = (ref.system === 'hubspot' ? byHubSpot : bySalesforce).found.get(ref.id);
    if (link) attach(link, ref);
    else unlinkedRefs.push(ref);
  }
  if (unlinkedRefs.length === 0) return resolved;

  const read = await readUnlinked(context, unlinkedRefs, resolved.cache);
  const unlinked = new Map<string, Unlinked>();
  for (const ref of unlinkedRefs) {
    const record = read.get(`${ref.system}:${ref.id}`);
    if (!record) {
      resolved.failures.push(
        failure(tenant, ref, 'RECORD_NOT_FOUND', `${ref.system} record ${ref.id} no longer exists`),
      );
      continue;
    }
    const key = `${ref.system}:${record.id}`;
    const item = unlinked.get(key) ?? { system: ref.system, record, refs: [] };
    item.refs.push(ref);
    unlinked.set(key, item);
  }
  await linkRecords(context, [...unlinked.values()], resolved, attach);
  return resolved;
}

/**
 * Several Salesforce records sharing one email (two Leads for one person): one is linked, chosen by
 * `choosePrimary` (converted first, then most recently modified, then oldest); the others are
 * duplicates, never written to. A lead whose email already has a linked Salesforce record keeps it: the
 * newcomers are its duplicates, so a second Lead never takes over the person's HubSpot contact.
 */
function splitDuplicates(
  group: Unlinked[],
  existing: LeadLink | undefined,
): { kept: Unlinked[]; duplicates: Unlinked[] } {
  const salesforce = group.filter((item) => item.system === 'salesforce');
  const others = group.filter((item) => item.system !== 'salesforce');
  if (existing && (existing.salesforceLead !== null || existing.salesforceContact !== null)) {
    // The lead's own Lead, come back converted, is no duplicate.
    const own = (item: Unlinked) => (item.record as SalesforceRecord).leadId === existing.salesforceLead;
    return {
      kept: [...others, ...salesforce.filter(own)],
      duplicates: salesforce.filter((item) => !own(item)),
    };
  }
  if (salesforce.length <= 1) return { kept: group, duplicates: [] };
  const { primary, duplicates } = choosePrimary(
    salesforce.map((item) => {
      const record = item.record as SalesforceRecord;
      return {
        id: record.leadId,
        converted: record.objectType === 'Contact',
        modifiedAt: record.modifiedAt,
        createdAt: record.createdAt,
        item,
      };
    }),
  );
  return { kept: [...others, primary.item], duplicates: duplicates.map((candidate) => candidate.item) };
}

async function linkRecords(
  context: ResolveContext,
  items: Unlinked[],
  resolved: ResolvedRefs,
  attach: (link: LeadLink, ref: RecordRef) => void,
  /** Fresh looks after a conflict: another worker (or a backfill) linked a record between look and link. */
  retries = 2,
): Promise<void> {
  const { tenant, links, now } = context;
  const emailOf = (item: Unlinked) => {
    const email = item.record.lead.email;
    return typeof email === 'string' && email.trim() !== '' ? normalizeEmail(email) : null;
  };
  const convertedLeadIds = items.flatMap((item) =>
    item.system === 'salesforce' && (item.record as SalesforceRecord).objectType === 'Contact'
      ? [(item.record as SalesforceRecord).leadId]
      : [],
  );
  const emails = [...new Set(items.flatMap((item) => emailOf(item) ?? []))];
  const [byEmail, byLeadId] = await Promise.all([
    links.findMany(tenant, 'email', emails),
    links.findMany(tenant, 'salesforce', convertedLeadIds),
  ]);
  const groups = new Map<string, Unlinked[]>();
  items.forEach((item, index) => {
    const key = emailOf(item) ?? `#${index}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  });
  const planned: Array<[LinkInput, Unlinked[]]> = [];
  for (const [key, group] of groups) {
    const converted = group
      .map((item) => byLeadId.found.get((item.record as SalesforceRecord).leadId))
      .find((link) => link !== undefined);
    const existing = converted ?? (key.startsWith('#') ? undefined : byEmail.found.get(key));
    const { kept, duplicates } = key.startsWith('#')
      ? { kept: group, duplicates: [] }
      : splitDuplicates(group, existing);
    const inputs = linkInputs(kept, existing?.leadKey, now);
    if (duplicates.length > 0) {
      // They join the lead that holds the email's Salesforce record: the existing one, or the new one.
      const primary = kept.find((item) => item.system === 'salesforce');
      const target =
        inputs.find(([, members]) => primary !== undefined && members.includes(primary)) ??
        (existing ? inputs.find(([input]) => input.leadKey === existing.leadKey) : undefined);
      const ids = duplicates.map((item) => (item.record as SalesforceRecord).leadId);
      if (target) {
        target[0].salesforceDuplicates = ids;
        target[1].push(...duplicates);
      } else if (existing) {
        inputs.push([{ leadKey: existing.leadKey, salesforceDuplicates: ids }, duplicates]);
      }
    }
    planned.push(...inputs);
  }
  let outcomes;
  try {
    outcomes = await links.linkMany(
      tenant,
      planned.map(([input]) => input),
      now,
    );
  } catch (err) {
    if (!(err instanceof PermanentError)) throw err;
    for (const ref of items.flatMap((item) => item.refs))
      resolved.failures.push(failure(tenant, ref, err.code, err.message));
    return;
  }
  const conflicted: Unlinked[] = [];
  outcomes.forEach((outcome, i) => {
    const members = planned[i]?.[1] ?? [];
    for (const item of members) {
      if (!outcome.ok && retries > 0) {
        conflicted.push(item);
        continue;
      }
      for (const ref of item.refs) {
        if (outcome.ok) attach(outcome.link, ref);
        else resolved.failures.push(failure(tenant, ref, 'LINK_CONFLICT', outcome.detail));
      }
    }
  });
  // Looked up again, the records now find the link the other writer made (by email), and join it.
  if (conflicted.length > 0) await linkRecords(context, conflicted, resolved, attach, retries - 1);
}
