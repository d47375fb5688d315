import type { Request } from 'express';
import { EmulatorError } from './errors.ts';

// Which API versions the emulated portal answers, by its own clock. HubSpot's versioning page: dated
// versions each March and September, unsupported 18 months after GA; legacy /crm/v3 loses support in
// September 2027. https://developers.hubspot.com/docs/developer-tooling/platform/versioning

/** Released dated versions and their GA day (2026-03: GA 2026-03-30; 2026-09: live 2026-09-08). */
export const RELEASED_VERSIONS: ReadonlyArray<{ version: string; ga: string }> = [
  { version: '2026-03', ga: '2026-03-30' },
  { version: '2026-09', ga: '2026-09-08' },
];

/** Day the legacy `/crm/v3` paths stop answering here. HubSpot says "September 2027"; the day is ours. */
export const V3_UNSUPPORTED_FROM = '2027-09-01';

function addMonths(isoDay: string, months: number): string {
  const date = new Date(`${isoDay}T00:00:00.000Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** `ok`, `retired` (past its support window) or `unknown` (never released, or not yet) at `now` (epoch ms). */
export function versionStatus(version: string, now: number): 'ok' | 'retired' | 'unknown' {
  const today = new Date(now).toISOString().slice(0, 10);
  if (version === 'v3') return today < V3_UNSUPPORTED_FROM ? 'ok' : 'retired';
  const release = RELEASED_VERSIONS.find((candidate) => candidate.version === version);
  if (!release || today < release.ga) return 'unknown';
  return today < addMonths(release.ga, 18) ? 'ok' : 'retired';
}

/** The API version a request was made at: the `:apiVersion` path segment, or `v3` on legacy paths. */
export function requestVersion(req: Request): string {
  // The journal's legacy `/v4` paths count as legacy too: served until the v3 ones stop.
  const version = req.params.apiVersion;
  return typeof version === 'string' ? version : 'v3';
}

/** Whether the request's version enforces write validation (required properties): `2026-09` and later. */
export function enforcesWriteValidation(req: Request): boolean {
  const version = requestVersion(req);
  return version !== 'v3' && version >= '2026-09';
}

/**
 * Refuses a call at a version the portal does not serve. HubSpot answers a retired API with 404 (as the
 * Contact Lists v1 sunset did) in its usual error body; the exact message is ours (no verbatim body for a
 * retired dated version is published).
 */
export function checkVersion(version: string, now: number): void {
  const status = versionStatus(version, now);
  if (status === 'ok') return;
  throw new EmulatorError(
    404,
    'OBJECT_NOT_FOUND',
    status === 'retired'
      ? `API version ${version} is no longer supported. Use a current version such as ${RELEASED_VERSIONS.at(-1)?.version}.`
      : `API version ${version} does not exist. Released versions: ${RELEASED_VERSIONS.map((r) => r.version).join(', ')}.`,
    { extra: { subCategory: status === 'retired' ? 'UNSUPPORTED_API_VERSION' : 'UNKNOWN_API_VERSION' } },
  );
}

/**
 * The dated twin of a legacy route template: `/crm/v3/objects/…` → `/crm/objects/:apiVersion/…`,
 * `/crm/v4/associations/…` → `/crm/associations/:apiVersion/…` (our guess for associations),
 * `/crm/v3/properties/…` → `/crm/properties/:apiVersion/…`, `/crm-object-schemas/v3/…` →
 * `/crm-object-schemas/:apiVersion/…`.
 */
export function datedTemplate(v3Template: string): string {
  const crm = /^\/crm\/v[34]\/(\w+)(\/.*)?$/.exec(v3Template);
  if (crm) return `/crm/${crm[1]}/:apiVersion${crm[2] ?? ''}`;
  // Other families keep the version in place: `/crm-object-schemas/v3/…`, `/webhooks-journal/journal/v4/…`.
  return v3Template.replace(/\/v[34]\//, '/:apiVersion/');
}
