import { z } from 'zod';
import { normalizeEmail } from '../../src/store/lead-link.ts';
import { chunk } from './chunk.ts';
import type { SalesforceClient } from './client.ts';
import { soqlString } from './cursor.ts';
import { COMPOSITE_MAX_QUERIES, EMAIL_LOOKUP_MAX, REST_URI_MAX_BYTES, SOQL_MAX_CHARS } from './limits.ts';
import { toIsoInstant } from './mapping.ts';
import { QueryResult } from './schemas.ts';

/** A Lead or Contact that already holds one of the emails looked up. */
export interface EmailMatch {
  objectType: 'Lead' | 'Contact';
  id: string;
  /** Its email as the link table keys it (trimmed, lower-cased). */
  email: string;
  /** A Lead that was converted; its Contact is `convertedContactId`. Always false for a Contact. */
  converted: boolean;
  convertedContactId: string | null;
  /** ISO-8601 instant of its SystemModstamp. */
  modifiedAt: string;
  /** ISO-8601 instant of its CreatedDate, when the API says. */
  createdAt?: string;
}

const MatchRow = z.looseObject({
  Id: z.string().min(15),
  Email: z.string().nullable().optional(),
  IsConverted: z.boolean().optional(),
  ConvertedContactId: z.string().nullable().optional(),
  SystemModstamp: z.string().min(1),
  CreatedDate: z.string().nullable().optional(),
});

/** Only what the choice between matches needs: the records themselves are read by id once chosen. */
const SELECTED = {
  Lead: ['Id', 'Email', 'IsConverted', 'ConvertedContactId', 'SystemModstamp', 'CreatedDate'],
  Contact: ['Id', 'Email', 'SystemModstamp', 'CreatedDate'],
} as const;

/** Bytes a subrequest's path holds besides the query (`/services/data/vNN.N/query?q=`), with room to spare. */
const PATH_OVERHEAD_BYTES = 100;

/** Pure: `emails` as the link table keys them (trimmed, lower-cased), blanks dropped, each once. */
export function uniqueEmails(emails: string[]): string[] {
  return [...new Set(emails.filter((email) => email.trim() !== '').map(normalizeEmail))];
}

/** Pure: the lookup query of `object` for `emails` (SOQL compares text case-insensitively). */
export function emailLookupSoql(object: keyof typeof SELECTED, emailField: string, emails: string[]): string {
  return `SELECT ${SELECTED[object].join(', ')} FROM ${object} WHERE ${emailField} IN (${emails.map(soqlString).join(', ')})`;
}

/** Pure: a query as a REST path from the version root. */
export function queryPath(soql: string): string {
  return `/query?q=${encodeURIComponent(soql)}`;
}

export interface LookupChunkLimits {
  /** Emails per chunk. */
  maxEmails: number;
  /** Characters of the SOQL statement. */
  maxSoqlChars: number;
  /** Bytes of the URL-encoded statement in the request path. */
  maxUriBytes: number;
}

export const LOOKUP_CHUNK_LIMITS: LookupChunkLimits = {
  maxEmails: EMAIL_LOOKUP_MAX,
  maxSoqlChars: SOQL_MAX_CHARS,
  maxUriBytes: REST_URI_MAX_BYTES - PATH_OVERHEAD_BYTES,
};

/**
 * Pure: `emails` cut into consecutive chunks whose query (`soql` of the chunk) stays within every limit.
 * An email too long to share a query goes alone (Salesforce then refuses that one query, as it would).
 */
export function emailLookupChunks(
  emails: string[],
  soql: (emails: string[]) => string,
  limits: LookupChunkLimits = LOOKUP_CHUNK_LIMITS,
): string[][] {
  const empty = soql([]);
  const baseChars = empty.length;
  const baseBytes = Buffer.byteLength(encodeURIComponent(empty));
  const chunks: string[][] = [];
  let current: string[] = [];
  let chars = baseChars;
  let bytes = baseBytes;
  for (const email of emails) {
    // Each email adds its literal and a separator (", ") to the IN list.
    const literal = `${soqlString(email)}, `;
    const addChars = literal.length;
    const addBytes = Buffer.byteLength(encodeURIComponent(literal));
    const fits =
      current.length < limits.maxEmails &&
      chars + addChars <= limits.maxSoqlChars &&
      bytes + addBytes <= limits.maxUriBytes;
    if (!fits && current.length > 0) {
      chunks.push(current);
      current = [];
      chars = baseChars;
      bytes = baseBytes;
    }
    current.push(email);
    chars += addChars;
    bytes += addBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function toMatch(objectType: EmailMatch['objectType'], raw: Record<string, unknown>): EmailMatch | null {
  const row = MatchRow.parse(raw);
  if (!row.Email || row.Email.trim() === '') return null;
  const createdAt = row.CreatedDate ? (toIsoInstant(row.CreatedDate) ?? row.CreatedDate) : undefined;
  return {
    objectType,
    id: row.Id,
    email: normalizeEmail(row.Email),
    converted: objectType === 'Lead' && row.IsConverted === true,
    convertedContactId: objectType === 'Lead' ? (row.ConvertedContactId ?? null) : null,
    modifiedAt: toIsoInstant(row.SystemModstamp) ?? row.SystemModstamp,
    ...(createdAt ? { createdAt } : {}),
  };
}

/**
 * The Leads (converted ones too) and Contacts whose email is one of `emails`, compared as the link table
 * does (trimmed, any case). One composite call per two chunks of up to 200 emails: each chunk is a
 * Lead query and a Contact query, and a composite call holds at most five queries. A result larger than
 * its first page (thousands of records sharing a few emails) is read again in full.
 */
export async function findByEmail(
  client: SalesforceClient,
  emails: string[],
  emailField = 'Email',
): Promise<EmailMatch[]> {
  const unique = uniqueEmails(emails);
  if (unique.length === 0) return [];
  // The Lead query selects more, so chunks that fit it fit the Contact query too.
  const chunks = emailLookupChunks(unique, (part) => emailLookupSoql('Lead', emailField, part));
  const matches: EmailMatch[] = [];
  for (const call of chunk(chunks, Math.floor(COMPOSITE_MAX_QUERIES / 2))) {
    const queries = new Map<string, { object: EmailMatch['objectType']; soql: string }>();
    call.forEach((part, i) => {
      for (const object of ['Lead', 'Contact'] as const)
        queries.set(`${object.toLowerCase()}s${i}`, {
          object,
          soql: emailLookupSoql(object, emailField, part),
        });
    });
    const bodies = await client.compositeGet(
      Object.fromEntries([...queries].map(([reference, query]) => [reference, queryPath(query.soql)])),
    );
    for (const [reference, { object, soql }] of queries) {
      const first = QueryResult.parse(bodies[reference]);
      const rows = first.done ? first.records : await client.query(soql);
      for (const raw of rows) {
        const match = toMatch(object, raw);
        if (match) matches.push(match);
      }
    }
  }
  return matches;
}
