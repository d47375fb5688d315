// HubSpot date-based API versioning, GA 2026-03-30: `/crm/objects/2026-03/contacts`,
// `/crm/properties/2026-03/{objectType}`; a version each March and September, "Current" for 6 months,
// then "Supported", unsupported 18 months after GA; the legacy `/crm/v3` paths lose support in
// September 2027. https://developers.hubspot.com/docs/developer-tooling/platform/versioning

export { DEFAULT_HUBSPOT_API_VERSION } from '../../src/config/tenant-schema.ts';

/** First month (YYYY-MM) in which a version is no longer supported: GA + 18 months; v3 from 2027-09. */
export function unsupportedFrom(version: string): string {
  if (version === 'v3') return '2027-09';
  const [year, month] = version.split('-').map(Number) as [number, number];
  const total = year * 12 + (month - 1) + 18;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** The request paths of every HubSpot call LeadBridge makes, for one API version. */
export interface HubSpotPaths {
  version: string;
  /** `/crm/v3/objects/contacts` or `/crm/objects/2026-09/contacts`. */
  contacts: string;
  /** `/crm/v3/properties/contacts` or `/crm/properties/2026-09/contacts`. */
  contactProperties: string;
  /** `/crm/v3/properties/contacts/groups` or the dated equivalent. */
  contactPropertyGroups: string;
  /** The object-schema of contacts (required properties): `/crm-object-schemas/<v>/schemas/contacts`. */
  contactSchema: string;
  /** The Leads object (0-136): `/crm/v3/objects/leads` or `/crm/objects/2026-09/leads`. */
  leads: string;
  /** Contact-to-lead associations: `/crm/v4/associations/contacts/leads` or `/crm/associations/<v>/contacts/leads` (dated form assumed). */
  contactLeadAssociations: string;
}

/** Pure: where each call goes for `version` (the version segment moves: `/crm/v3/objects` vs `/crm/objects/<date>`). */
export function hubspotPaths(version: string): HubSpotPaths {
  const objects = version === 'v3' ? '/crm/v3/objects' : `/crm/objects/${version}`;
  const properties = version === 'v3' ? '/crm/v3/properties' : `/crm/properties/${version}`;
  return {
    version,
    contacts: `${objects}/contacts`,
    contactProperties: `${properties}/contacts`,
    contactPropertyGroups: `${properties}/contacts/groups`,
    contactSchema: `/crm-object-schemas/${version}/schemas/contacts`,
    leads: `${objects}/leads`,
    contactLeadAssociations:
      version === 'v3'
        ? '/crm/v4/associations/contacts/leads'
        : `/crm/associations/${version}/contacts/leads`,
  };
}
