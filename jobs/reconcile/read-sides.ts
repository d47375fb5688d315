import type { TenantConnectors } from '../../connectors/index.ts';
import type { SalesforceRecord } from '../../connectors/salesforce/records.ts';
import type { SystemRecord } from '../../connectors/types.ts';
import type { LeadLinks } from '../../src/store/lead-links.ts';
import type { LeadLink } from '../../src/store/lead-link.ts';
import type { RecordFailure } from '../engine.ts';
import type { LeadSides, ReadCache } from './types.ts';

/** The Salesforce id to read for a lead: its Contact once converted, else its Lead. */
function salesforceReadId(link: LeadLink): string | null {
  return link.salesforceContact ?? link.salesforceLead;
}

/**
 * Reads both sides of every lead: one `read` per system for the whole batch (the connectors cut it to
 * the APIs' caps), skipping records the batch already read while resolving refs.
 */
export async function readSides(
  connectors: TenantConnectors,
  links: LeadLink[],
  cache: ReadCache,
): Promise<LeadSides[]> {
  const hubspotIds = links.flatMap((link) =>
    link.hubspot !== null && !cache.hubspot.has(link.hubspot) ? [link.hubspot] : [],
  );
  const salesforceIds = links.flatMap((link) => {
    const id = salesforceReadId(link);
    return id !== null && !cache.salesforce.has(id) ? [id] : [];
  });
  const [hubspot, salesforce] = await Promise.all([
    hubspotIds.length > 0 ? connectors.hubspot.read(hubspotIds) : Promise.resolve<SystemRecord[]>([]),
    salesforceIds.length > 0
      ? connectors.salesforce.read(salesforceIds)
      : Promise.resolve<SalesforceRecord[]>([]),
  ]);
  for (const record of hubspot) cache.hubspot.set(record.id, record);
  for (const record of salesforce) {
    cache.salesforce.set(record.id, record);
    cache.salesforce.set(record.leadId, record);
  }
  return links.map((link) => {
    const hubspotRecord = link.hubspot === null ? null : (cache.hubspot.get(link.hubspot) ?? null);
    const salesforceRecord =
      (link.salesforceContact === null ? undefined : cache.salesforce.get(link.salesforceContact)) ??
      (link.salesforceLead === null ? undefined : cache.salesforce.get(link.salesforceLead)) ??
      null;
    return {
      link,
      hubspot: hubspotRecord,
      salesforce: salesforceRecord,
      missing: {
        hubspot: link.hubspot !== null && hubspotRecord === null,
        salesforce: salesforceReadId(link) !== null && salesforceRecord === null,
      },
    };
  });
}

/**
 * A Lead read back as its converted Contact moves the link's Salesforce writes to the Contact
 * (`recordConversion`); returns the updated sides and a failure for each conversion the link table refused.
 */
export async function followConversions(
  links: LeadLinks,
  tenant: string,
  sides: LeadSides[],
  now: Date,
): Promise<{ sides: LeadSides[]; failures: RecordFailure[] }> {
  const failures: RecordFailure[] = [];
  const updated: LeadSides[] = [];
  for (const side of sides) {
    const record = side.salesforce;
    if (record?.objectType !== 'Contact' || side.link.salesforceContact === record.id) {
      updated.push(side);
      continue;
    }
    // Conversions are rare (a rep converts a lead by hand), so one call per converted lead is fine.
    const outcome = await links.recordConversion(tenant, record.leadId, record.id, now);
    if (outcome.ok) {
      updated.push({ ...side, link: outcome.link });
    } else {
      failures.push({
        tenant,
        leadKey: side.link.leadKey,
        system: 'salesforce',
        recordId: record.id,
        code: 'LINK_CONFLICT',
        message: outcome.detail,
        retryable: false,
      });
      updated.push(side);
    }
  }
  return { sides: updated, failures };
}
