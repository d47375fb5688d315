import { z } from 'zod';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import type { HubSpotClient } from './client.ts';
import { HubSpotHttpError } from './http.ts';

// Webhooks Journal reads (webhooks v4, pull-based, 3-day history):
// GET /webhooks-journal/journal/<version>/{earliest|latest|offset/{offset}/next} answer
// `{currentOffset, expiresAt, url}`; `url` is a presigned file `{offset, journalEvents[], publishedAt}`.
// https://developers.hubspot.com/docs/api-reference/webhooks-webhooks-v4/webhooks-journal
// Spec: HubSpot-public-api-spec-collection "Webhooks Journal" 2026-09. What "nothing new" and "offset too
// old" look like is not in the material at hand: we take 204 and 404 (what our emulator answers).

const ReadAnswer = z.looseObject({ currentOffset: z.string(), expiresAt: z.string(), url: z.string() });

/** One journal event as LeadBridge uses it; other fields are kept but ignored. */
export const JournalEvent = z.looseObject({
  eventId: z.union([z.string(), z.number()]).transform(String),
  action: z.string(),
  objectTypeId: z.string(),
  objectId: z.union([z.string(), z.number()]).transform(String),
  portalId: z.number().int(),
  /** Epoch milliseconds. */
  occurredAt: z.number().int().nonnegative(),
  changeSource: z.string().optional(),
  propertyName: z.string().optional(),
  primaryObjectId: z.union([z.string(), z.number()]).transform(String).optional(),
  mergedObjectIds: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type JournalEvent = z.infer<typeof JournalEvent>;

const JournalFile = z.looseObject({
  offset: z.string(),
  journalEvents: z.array(JournalEvent),
  publishedAt: z.string(),
});

export type JournalRead =
  | { kind: 'page'; offset: string; events: JournalEvent[]; publishedAt: string }
  /** Nothing after the offset (yet). */
  | { kind: 'end' }
  /** The offset has left the journal's retention: events were missed. */
  | { kind: 'expired'; detail: string };

/** The journal's path prefix: the tenant's dated version, or the legacy `v4` when the tenant is on `v3`. */
export function journalBase(apiVersion: string): string {
  return `/webhooks-journal/journal/${apiVersion === 'v3' ? 'v4' : apiVersion}`;
}

async function fetchFile(client: HubSpotClient, url: string): Promise<z.infer<typeof JournalFile>> {
  const info = await client.caller.call('GET {journal file url}', 'standard', async () => {
    // A presigned URL: no bearer token.
    const response = await fetch(url);
    const text = await response.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new HubSpotHttpError('GET', 'journal file', response.status, body, {});
    return { httpStatusCode: response.status, data: body };
  });
  const parsed = JournalFile.safeParse(info.data);
  if (!parsed.success)
    throw new PermanentError('HubSpot journal file: unexpected content', 'UNEXPECTED_RESPONSE');
  return parsed.data;
}

async function read(client: HubSpotClient, path: string, endpoint: string): Promise<JournalRead> {
  let info;
  try {
    info = await client.request({ method: 'GET', path }, 'standard', endpoint);
  } catch (err) {
    if (err instanceof PermanentError && err.status === 404 && endpoint.includes('{offset}'))
      return { kind: 'expired', detail: err.message };
    throw err;
  }
  if (info.httpStatusCode === 204 || info.data === undefined) return { kind: 'end' };
  const answer = ReadAnswer.safeParse(info.data);
  if (!answer.success)
    throw new PermanentError(`HubSpot ${endpoint}: unexpected answer`, 'UNEXPECTED_RESPONSE');
  const file = await fetchFile(client, answer.data.url);
  return { kind: 'page', offset: file.offset, events: file.journalEvents, publishedAt: file.publishedAt };
}

/** The oldest file the journal still keeps. */
export function readEarliest(client: HubSpotClient): Promise<JournalRead> {
  const base = journalBase(client.paths.version);
  return read(client, `${base}/earliest`, `GET ${base}/earliest`);
}

/** The file after `offset`. */
export function readNext(client: HubSpotClient, offset: string): Promise<JournalRead> {
  const base = journalBase(client.paths.version);
  return read(
    client,
    `${base}/offset/${encodeURIComponent(offset)}/next`,
    `GET ${base}/offset/{offset}/next`,
  );
}
