import { z } from 'zod';
import type { SalesforceClient } from './client.ts';
import { chunk } from './chunk.ts';
import { soqlString } from './cursor.ts';
import { SOQL_IN_MAX_IDS } from './limits.ts';

/** What the API says a record is now: what an outbound message claims is never taken on trust. */
export type RecordState = 'live' | 'deleted' | 'converted' | `merged:${string}`;

/** Pure: the surviving Lead of a `merged:<id>` state, else null. */
export function mergedInto(state: RecordState | undefined): string | null {
  return state?.startsWith('merged:') ? state.slice('merged:'.length) : null;
}

const StateRow = z.looseObject({
  Id: z.string(),
  IsDeleted: z.boolean().optional(),
  IsConverted: z.boolean().optional(),
  MasterRecordId: z.string().nullable().optional(),
});

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/**
 * The state of Leads (`00Q…`) and Contacts (`003…`) by id, read with queryAll so deleted rows (in the
 * recycle bin) come back with IsDeleted = true. Ids the org does not have at all are absent from the map;
 * anything but a well-formed id is never put into SOQL.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
 */
export async function readRecordStates(
  client: SalesforceClient,
  ids: string[],
): Promise<Map<string, RecordState>> {
  const valid = [...new Set(ids.filter((id) => SALESFORCE_ID.test(id)))];
  const leads = valid.filter((id) => id.startsWith('00Q'));
  const contacts = valid.filter((id) => id.startsWith('003'));
  const states = new Map<string, RecordState>();
  const run = async (object: 'Lead' | 'Contact', part: string[], fields: string) => {
    const rows = await client.query(
      `SELECT ${fields} FROM ${object} WHERE Id IN (${part.map(soqlString).join(', ')})`,
      { scanAll: true },
    );
    for (const row of rows.map((raw) => StateRow.parse(raw))) {
      const state: RecordState = row.IsDeleted
        ? row.MasterRecordId
          ? `merged:${row.MasterRecordId}`
          : 'deleted'
        : row.IsConverted
          ? 'converted'
          : 'live';
      states.set(row.Id, state);
      // The API answers 18-character ids; a 15-character one asked for resolves to the same row.
      const asked = part.find((id) => id.length === 15 && row.Id.startsWith(id));
      if (asked) states.set(asked, state);
    }
  };
  for (const part of chunk(leads, SOQL_IN_MAX_IDS))
    await run('Lead', part, 'Id, IsDeleted, IsConverted, MasterRecordId');
  for (const part of chunk(contacts, SOQL_IN_MAX_IDS)) await run('Contact', part, 'Id, IsDeleted');
  return states;
}
