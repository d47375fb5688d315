import { LIFECYCLE_ORDER } from '../limits.ts';

// The contact properties and groups a fresh portal has (the subset LeadBridge and the demo touch),
// in the shape of the properties API. https://developers.hubspot.com/docs/api/crm/properties

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hubspotDefined: boolean;
  /** Set by HubSpot, refused on writes. */
  readOnly?: boolean;
  hasUniqueValue: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface PropertyGroupDefinition {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

const options = (values: readonly string[]) =>
  values.map((value, index) => ({ label: value, value, displayOrder: index, hidden: false }));

const LEAD_STATUSES = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'OPEN_DEAL',
  'UNQUALIFIED',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
];
const SOURCES = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'EMAIL_MARKETING',
  'SOCIAL_MEDIA',
  'REFERRALS',
  'OTHER_CAMPAIGNS',
  'DIRECT_TRAFFIC',
  'OFFLINE',
  'PAID_SOCIAL',
];

type Row = [
  name: string,
  label: string,
  type: PropertyDefinition['type'],
  fieldType: string,
  extra?: Partial<PropertyDefinition>,
];

const ROWS: Row[] = [
  ['email', 'Email', 'string', 'text', { hasUniqueValue: true }],
  ['firstname', 'First Name', 'string', 'text'],
  ['lastname', 'Last Name', 'string', 'text'],
  ['company', 'Company Name', 'string', 'text'],
  ['jobtitle', 'Job Title', 'string', 'text'],
  ['phone', 'Phone Number', 'string', 'phonenumber'],
  ['website', 'Website URL', 'string', 'text'],
  ['city', 'City', 'string', 'text'],
  ['country', 'Country/Region', 'string', 'text'],
  ['industry', 'Industry', 'string', 'text'],
  ['numemployees', 'Number of Employees', 'string', 'text'],
  ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { options: options(LIFECYCLE_ORDER) }],
  ['hs_lead_status', 'Lead Status', 'enumeration', 'radio', { options: options(LEAD_STATUSES) }],
  ['hs_analytics_num_page_views', 'Number of Pageviews', 'number', 'number', { readOnly: true }],
  ['hs_analytics_num_visits', 'Number of Sessions', 'number', 'number', { readOnly: true }],
  [
    'hs_analytics_source',
    'Original Source',
    'enumeration',
    'select',
    { readOnly: true, options: options(SOURCES) },
  ],
  ['hs_email_last_open_date', 'Last marketing email open date', 'datetime', 'date', { readOnly: true }],
  ['hs_last_sales_activity_timestamp', 'Last Engagement Date', 'datetime', 'date', { readOnly: true }],
  ['notes_last_updated', 'Last Activity Date', 'datetime', 'date', { readOnly: true }],
  ['recent_conversion_date', 'Recent Conversion Date', 'datetime', 'date', { readOnly: true }],
  ['hubspot_owner_id', 'Contact owner', 'enumeration', 'select'],
  ['createdate', 'Create Date', 'datetime', 'date', { readOnly: true }],
  ['lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { readOnly: true }],
  ['hs_object_id', 'Record ID', 'number', 'number', { readOnly: true }],
  ['hs_updated_by_user_id', 'Updated by user ID', 'number', 'number', { readOnly: true }],
  ['hs_merged_object_ids', 'Merged Contact IDs', 'enumeration', 'checkbox', { readOnly: true }],
];

export function defaultGroups(): PropertyGroupDefinition[] {
  return [
    { name: 'contactinformation', label: 'Contact information', displayOrder: -1, archived: false },
    { name: 'analyticsinformation', label: 'Web analytics history', displayOrder: -1, archived: false },
    { name: 'sales_properties', label: 'Sales properties', displayOrder: -1, archived: false },
  ];
}

export function defaultProperties(nowIso: string): PropertyDefinition[] {
  return ROWS.map(([name, label, type, fieldType, extra], index) => ({
    name,
    label,
    type,
    fieldType,
    groupName: name.startsWith('hs_analytics') ? 'analyticsinformation' : 'contactinformation',
    description: '',
    options: [],
    displayOrder: index,
    hubspotDefined: true,
    hasUniqueValue: false,
    createdAt: nowIso,
    updatedAt: nowIso,
    ...extra,
  }));
}

/** Properties every read returns besides the requested ones. */
export const DEFAULT_READ_PROPERTIES = ['createdate', 'hs_object_id', 'lastmodifieddate'] as const;

/** The property API shape of a definition (what GET /crm/v3/properties returns). */
export function propertyResource(property: PropertyDefinition): Record<string, unknown> {
  const { readOnly, ...resource } = property;
  return {
    ...resource,
    modificationMetadata: {
      archivable: !property.hubspotDefined,
      readOnlyDefinition: property.hubspotDefined,
      readOnlyValue: readOnly ?? false,
    },
  };
}
