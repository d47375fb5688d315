import { describe, expect, it } from 'vitest';
import type { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import {
  emailLookupChunks,
  emailLookupSoql,
  findByEmail,
  LOOKUP_CHUNK_LIMITS,
  queryPath,
} from '../../../connectors/salesforce/email-match.ts';

const emails = (count: number, local = 'person') =>
  Array.from({ length: count }, (_, i) => `${local}-${i}@example.com`);
const leadSoql = (part: string[]) => emailLookupSoql('Lead', 'Email', part);

describe('emailLookupChunks: emails per lookup query within Salesforce limits', () => {
  it('cuts at 200 emails, keeping the order', () => {
    const chunks = emailLookupChunks(emails(450), leadSoql);
    expect(chunks.map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    expect(chunks.flat()).toEqual(emails(450));
  });

  it('keeps every query under the SOQL limit and its URL-encoded path under the URI limit', () => {
    // 80-character addresses (the Salesforce Email field's length): 200 of them would not fit one URI.
    const long = emails(400, 'x'.repeat(60));
    const chunks = emailLookupChunks(long, leadSoql);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(leadSoql(chunk).length).toBeLessThanOrEqual(LOOKUP_CHUNK_LIMITS.maxSoqlChars);
      expect(Buffer.byteLength(queryPath(leadSoql(chunk)))).toBeLessThanOrEqual(16_384 - 50);
    }
    expect(chunks.flat()).toEqual(long);
  });

  it('cuts by the SOQL character limit too, when that is the tighter one', () => {
    const limits = { maxEmails: 1_000, maxSoqlChars: 400, maxUriBytes: 1_000_000 };
    const chunks = emailLookupChunks(emails(40), leadSoql, limits);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(leadSoql(chunk).length).toBeLessThanOrEqual(400);
  });

  it('quotes and escapes each address as a SOQL string literal', () => {
    expect(emailLookupSoql('Contact', 'Email', ["o'brien@example.com"])).toBe(
      "SELECT Id, Email, SystemModstamp, CreatedDate FROM Contact WHERE Email IN ('o\\'brien@example.com')",
    );
  });
});

/** A client answering composite calls from `rows` (by object), recording the paths it was asked. */
function fakeClient(rows: { Lead: Array<Record<string, unknown>>; Contact: Array<Record<string, unknown>> }) {
  const calls: Array<Record<string, string>> = [];
  const client = {
    async compositeGet(paths: Record<string, string>) {
      calls.push(paths);
      return Object.fromEntries(
        Object.entries(paths).map(([reference, path]) => {
          const soql = decodeURIComponent(path.replace('/query?q=', ''));
          const object = / FROM (\w+) /.exec(soql)?.[1] as 'Lead' | 'Contact';
          const asked = [...soql.matchAll(/'([^']*)'/g)].map((match) => match[1]);
          const records = rows[object].filter((row) => asked.includes(String(row.Email).toLowerCase()));
          return [reference, { totalSize: records.length, done: true, records }];
        }),
      );
    },
    async query() {
      throw new Error('not expected');
    },
  };
  return { client: client as unknown as SalesforceClient, calls };
}

describe('findByEmail', () => {
  it('looks up trimmed, lower-cased, distinct addresses; returns matches keyed the same way', async () => {
    const { client, calls } = fakeClient({
      Lead: [
        {
          Id: '00Q000000000001AAA',
          Email: 'Ada@Example.com',
          IsConverted: true,
          ConvertedContactId: '003000000000001AAA',
          SystemModstamp: '2026-03-01T10:00:00.000+0000',
          CreatedDate: '2026-02-01T10:00:00.000+0000',
        },
      ],
      Contact: [
        {
          Id: '003000000000001AAA',
          Email: 'ada@example.com',
          SystemModstamp: '2026-03-01T10:00:00.000+0000',
        },
      ],
    });
    const found = await findByEmail(client, ['  ADA@example.com ', 'ada@example.com', '   ']);
    expect(calls).toHaveLength(1);
    expect(Object.keys(calls[0]!).sort()).toEqual(['contacts0', 'leads0']);
    expect(decodeURIComponent(calls[0]!.leads0!)).toContain("IN ('ada@example.com')");
    expect(found).toEqual([
      {
        objectType: 'Lead',
        id: '00Q000000000001AAA',
        email: 'ada@example.com',
        converted: true,
        convertedContactId: '003000000000001AAA',
        modifiedAt: '2026-03-01T10:00:00.000Z',
        createdAt: '2026-02-01T10:00:00.000Z',
      },
      {
        objectType: 'Contact',
        id: '003000000000001AAA',
        email: 'ada@example.com',
        converted: false,
        convertedContactId: null,
        modifiedAt: '2026-03-01T10:00:00.000Z',
      },
    ]);
  });

  it('sends two chunks (four queries, under the five a composite call allows) per call', async () => {
    const { client, calls } = fakeClient({ Lead: [], Contact: [] });
    await findByEmail(client, emails(450));
    expect(calls.map((paths) => Object.keys(paths).length)).toEqual([4, 2]);
  });

  it('asks nothing for no emails', async () => {
    const { client, calls } = fakeClient({ Lead: [], Contact: [] });
    expect(await findByEmail(client, [])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
