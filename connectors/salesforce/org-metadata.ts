import type { SalesforceClient } from './client.ts';
import { DescribeResult, LeadStatusRow, QueryResult } from './schemas.ts';

/** What the connector needs to know about the org's schema before it reads or writes leads. */
export interface OrgMetadata {
  /** The org's real Lead Status picklist. */
  leadStatuses: LeadStatusRow[];
  /** `describe` of Contact: which mapped fields a converted lead's Contact has. */
  contact: DescribeResult;
}

/**
 * Reads the org's metadata once per connector, both parts in one composite call (it counts as one API
 * call, where a LeadStatus query and a describe made two). A failed read is not kept: the next caller
 * asks again.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
 */
export class OrgMetadataReader {
  private readonly client: SalesforceClient;
  private loaded: Promise<OrgMetadata> | undefined;

  constructor(client: SalesforceClient) {
    this.client = client;
  }

  get(): Promise<OrgMetadata> {
    this.loaded ??= this.read();
    this.loaded.catch(() => {
      this.loaded = undefined;
    });
    return this.loaded;
  }

  private async read(): Promise<OrgMetadata> {
    const soql = 'SELECT ApiName, IsConverted, IsDefault FROM LeadStatus';
    const bodies = await this.client.compositeGet({
      leadStatuses: `/query?q=${encodeURIComponent(soql)}`,
      contact: '/sobjects/Contact/describe',
    });
    const statuses = QueryResult.parse(bodies.leadStatuses);
    return {
      leadStatuses: statuses.records.map((row) => LeadStatusRow.parse(row)),
      contact: DescribeResult.parse(bodies.contact),
    };
  }
}
