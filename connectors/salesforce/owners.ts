import { z } from 'zod';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { SalesforceClient, SfRecord } from './client.ts';

/** A Lead's owner as Salesforce holds it: a User (`005…`) or a queue (`00G…`). */
export interface SalesforceOwner {
  id: string;
  kind: 'user' | 'queue';
  name: string | null;
  email: string | null;
  active: boolean;
  /** The user's away checkbox (the configured `awayField`), when asked for. */
  away: boolean;
}

const UserRow = z.object({
  Id: z.string(),
  Name: z.string().nullish(),
  Email: z.string().nullish(),
  IsActive: z.boolean().nullish(),
});
const GroupRow = z.object({ Id: z.string(), Name: z.string().nullish() });
const OwnerRow = z.object({ Id: z.string(), OwnerId: z.string().nullish() });

/** A SOQL string literal. https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

function idList(ids: readonly string[]): string {
  const bad = ids.find((id) => !ID.test(id));
  if (bad) throw new PermanentError(`${bad} is not a Salesforce id`, 'MALFORMED_ID');
  return ids.map((id) => `'${id}'`).join(', ');
}

/** Same id in 15 or 18 characters. */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

/**
 * Users and queues by id, for owner assignment: whether each is active and, with `awayField`, away.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_group.htm
 */
export async function readOwners(
  client: SalesforceClient,
  ids: readonly string[],
  awayField?: string,
): Promise<SalesforceOwner[]> {
  const users = ids.filter((id) => id.startsWith('005'));
  const queues = ids.filter((id) => id.startsWith('00G'));
  const owners: SalesforceOwner[] = [];
  if (users.length > 0) {
    const away = awayField ? `, ${awayField}` : '';
    const rows: SfRecord[] = await client.query(
      `SELECT Id, Name, Email, IsActive${away} FROM User WHERE Id IN (${idList(users)})`,
    );
    for (const raw of rows) {
      const row = UserRow.parse(raw);
      owners.push({
        id: row.Id,
        kind: 'user',
        name: row.Name ?? null,
        email: row.Email ?? null,
        active: row.IsActive === true,
        away: awayField ? raw[awayField] === true : false,
      });
    }
  }
  if (queues.length > 0) {
    const rows = await client.query(
      `SELECT Id, Name FROM Group WHERE Type = 'Queue' AND Id IN (${idList(queues)})`,
    );
    for (const raw of rows) {
      const row = GroupRow.parse(raw);
      owners.push({
        id: row.Id,
        kind: 'queue',
        name: row.Name ?? null,
        email: null,
        active: true,
        away: false,
      });
    }
  }
  return owners;
}

/** The current owner of a Lead (or Contact once converted); null when the record is gone. */
export async function readRecordOwner(client: SalesforceClient, recordId: string): Promise<string | null> {
  const type = recordId.startsWith('003') ? 'Contact' : 'Lead';
  const rows = await client.query(`SELECT Id, OwnerId FROM ${type} WHERE Id = ${idList([recordId])}`);
  const row = rows[0] ? OwnerRow.parse(rows[0]) : undefined;
  return row?.OwnerId ?? null;
}

/** Sets a record's owner; Salesforce's own refusal (INACTIVE_OWNER_OR_USER, …) comes back as a PermanentError. */
export async function setRecordOwner(
  client: SalesforceClient,
  recordId: string,
  ownerId: string,
): Promise<void> {
  const type = recordId.startsWith('003') ? 'Contact' : 'Lead';
  const [result] = await client.update(type, [{ Id: recordId, OwnerId: ownerId }]);
  if (result && !result.success) {
    const first = result.errors[0];
    throw new PermanentError(
      `${first?.statusCode ?? 'UNKNOWN_ERROR'}: ${first?.message ?? 'owner not set'}`,
      first?.statusCode ?? 'UNKNOWN_ERROR',
    );
  }
}
