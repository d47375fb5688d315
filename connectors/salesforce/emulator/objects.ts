import { KEY_PREFIX } from './ids.ts';

/** Field metadata as `describe` reports it (the subset the connector and jsforce read). */
export interface FieldDef {
  name: string;
  label: string;
  type:
    | 'id'
    | 'string'
    | 'textarea'
    | 'email'
    | 'phone'
    | 'url'
    | 'picklist'
    | 'boolean'
    | 'double'
    | 'int'
    | 'currency'
    | 'date'
    | 'datetime'
    | 'reference';
  length: number;
  /** Required on create (and may not be blanked on update). */
  required?: boolean;
  createable: boolean;
  updateable: boolean;
  custom: boolean;
  /** No two live rows of the object may hold the same value (case-insensitive, as Salesforce's default). */
  unique?: boolean;
  /** Usable as the key of an upsert (`PATCH /composite/sobjects/{type}/{field}`). */
  externalId?: boolean;
  picklist?: string[];
  referenceTo?: string[];
}

export interface ObjectDef {
  name: string;
  labelPlural: string;
  keyPrefix: string;
  fields: FieldDef[];
}

type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

const LENGTHS: Partial<Record<FieldDef['type'], number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32_000,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
};

function field(name: string, type: FieldDef['type'], options: FieldOptions = {}): FieldDef {
  return {
    name,
    label: options.label ?? name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    length: options.length ?? LENGTHS[type] ?? 0,
    createable: options.createable ?? true,
    updateable: options.updateable ?? true,
    custom: name.endsWith('__c'),
    ...(options.required ? { required: true } : {}),
    ...(options.picklist ? { picklist: options.picklist } : {}),
    ...(options.referenceTo ? { referenceTo: options.referenceTo } : {}),
    ...(options.unique ? { unique: true } : {}),
    ...(options.externalId ? { externalId: true } : {}),
  };
}

const readOnly: FieldOptions = { createable: false, updateable: false };

/** Fields every object has, set by the platform. */
function systemFields(): FieldDef[] {
  return [
    field('Id', 'id', readOnly),
    field('IsDeleted', 'boolean', readOnly),
    field('OwnerId', 'reference', { referenceTo: ['User'] }),
    field('CreatedDate', 'datetime', readOnly),
    field('CreatedById', 'reference', { ...readOnly, referenceTo: ['User'] }),
    field('LastModifiedDate', 'datetime', readOnly),
    field('LastModifiedById', 'reference', { ...readOnly, referenceTo: ['User'] }),
    field('SystemModstamp', 'datetime', readOnly),
  ];
}

/** LeadBridge's own fields (contract.md), on Lead and, through the lead field mapping, on Contact. */
function leadBridgeFields(): FieldDef[] {
  return [
    field('LeadBridge_Score__c', 'double', { length: 0 }),
    field('LeadBridge_Stage__c', 'string', { length: 40 }),
    field('Rejection_Reason__c', 'string', { length: 255 }),
    field('LeadBridge_SLA_Due__c', 'datetime'),
    field('LeadBridge_SLA_Breached__c', 'boolean'),
    // Text(40), Unique, External ID: the lead key, so creates are upserts a crashed job can repeat.
    field('LeadBridge_Key__c', 'string', { length: 40, unique: true, externalId: true }),
  ];
}

export const INDUSTRIES = [
  'Agriculture',
  'Banking',
  'Consulting',
  'Education',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Media',
  'Retail',
  'Software',
  'Technology',
  'Telecommunications',
];
export const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
export const OPPORTUNITY_STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];

/** The org's schema; Lead `Status` values come from the LeadStatus records at describe time. */
export const OBJECTS: Record<string, ObjectDef> = {
  Lead: {
    name: 'Lead',
    labelPlural: 'Leads',
    keyPrefix: KEY_PREFIX.Lead,
    fields: [
      ...systemFields(),
      field('LastName', 'string', { length: 80, required: true }),
      field('FirstName', 'string', { length: 40 }),
      field('Name', 'string', { length: 121, ...readOnly }),
      field('Title', 'string', { length: 128 }),
      field('Company', 'string', { required: true }),
      field('Street', 'textarea', { length: 255 }),
      field('City', 'string', { length: 40 }),
      field('State', 'string', { length: 80 }),
      field('PostalCode', 'string', { length: 20 }),
      field('Country', 'string', { length: 80 }),
      field('Phone', 'phone'),
      field('MobilePhone', 'phone'),
      field('Email', 'email'),
      field('Website', 'url'),
      field('Description', 'textarea'),
      field('LeadSource', 'picklist', { picklist: LEAD_SOURCES }),
      field('Status', 'picklist'),
      field('Industry', 'picklist', { picklist: INDUSTRIES }),
      field('Rating', 'picklist', { picklist: ['Hot', 'Warm', 'Cold'] }),
      field('AnnualRevenue', 'currency'),
      field('NumberOfEmployees', 'int'),
      field('IsConverted', 'boolean', readOnly),
      field('ConvertedDate', 'date', readOnly),
      field('ConvertedAccountId', 'reference', { ...readOnly, referenceTo: ['Account'] }),
      field('ConvertedContactId', 'reference', { ...readOnly, referenceTo: ['Contact'] }),
      field('ConvertedOpportunityId', 'reference', { ...readOnly, referenceTo: ['Opportunity'] }),
      // Set on the records a merge deleted: the surviving record's id (queryAll shows them).
      field('MasterRecordId', 'reference', { ...readOnly, referenceTo: ['Lead'] }),
      field('IsUnreadByOwner', 'boolean'),
      ...leadBridgeFields(),
    ],
  },
  Contact: {
    name: 'Contact',
    labelPlural: 'Contacts',
    keyPrefix: KEY_PREFIX.Contact,
    fields: [
      ...systemFields(),
      field('AccountId', 'reference', { referenceTo: ['Account'] }),
      field('LastName', 'string', { length: 80, required: true }),
      field('FirstName', 'string', { length: 40 }),
      field('Name', 'string', { length: 121, ...readOnly }),
      field('Title', 'string', { length: 128 }),
      field('Phone', 'phone'),
      field('MobilePhone', 'phone'),
      field('Email', 'email'),
      field('Department', 'string', { length: 80 }),
      field('LeadSource', 'picklist', { picklist: LEAD_SOURCES }),
      field('Description', 'textarea'),
      ...leadBridgeFields(),
    ],
  },
  Account: {
    name: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: KEY_PREFIX.Account,
    fields: [
      ...systemFields(),
      field('Name', 'string', { required: true }),
      field('Industry', 'picklist', { picklist: INDUSTRIES }),
      field('NumberOfEmployees', 'int'),
      field('Phone', 'phone'),
      field('Website', 'url'),
    ],
  },
  Opportunity: {
    name: 'Opportunity',
    labelPlural: 'Opportunities',
    keyPrefix: KEY_PREFIX.Opportunity,
    fields: [
      ...systemFields(),
      field('AccountId', 'reference', { referenceTo: ['Account'] }),
      field('Name', 'string', { length: 120, required: true }),
      field('StageName', 'picklist', { required: true, picklist: OPPORTUNITY_STAGES }),
      field('Amount', 'currency'),
      field('CloseDate', 'date', { required: true }),
      field('IsClosed', 'boolean', readOnly),
      field('IsWon', 'boolean', readOnly),
      field('LeadSource', 'picklist', { picklist: LEAD_SOURCES }),
    ],
  },
  LeadStatus: {
    name: 'LeadStatus',
    labelPlural: 'Lead Status Values',
    keyPrefix: KEY_PREFIX.LeadStatus,
    fields: [
      ...systemFields().filter((f) => f.name !== 'OwnerId'),
      field('MasterLabel', 'string'),
      field('ApiName', 'string'),
      field('SortOrder', 'int'),
      field('IsDefault', 'boolean'),
      field('IsConverted', 'boolean'),
    ],
  },
  User: {
    name: 'User',
    labelPlural: 'Users',
    keyPrefix: KEY_PREFIX.User,
    fields: [
      ...systemFields().filter((f) => f.name !== 'OwnerId'),
      field('Username', 'string', { length: 80 }),
      field('FirstName', 'string', { length: 40 }),
      field('LastName', 'string', { length: 80 }),
      field('Name', 'string', { length: 121, ...readOnly }),
      field('Email', 'email'),
      field('IsActive', 'boolean'),
      /** A custom checkbox an org may use to mark a rep away (the `owners.awayField` of the config). */
      field('Out_Of_Office__c', 'boolean'),
    ],
  },
  /** Queues are Groups of Type 'Queue'; a Lead may be owned by one. */
  Group: {
    name: 'Group',
    labelPlural: 'Groups',
    keyPrefix: KEY_PREFIX.Group,
    fields: [
      ...systemFields().filter((f) => f.name !== 'OwnerId'),
      field('Name', 'string', { length: 40 }),
      field('DeveloperName', 'string', { length: 80 }),
      field('Type', 'picklist', { picklist: ['Queue', 'Regular'] }),
    ],
  },
  /** https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm */
  Task: {
    name: 'Task',
    labelPlural: 'Tasks',
    keyPrefix: KEY_PREFIX.Task,
    fields: [
      ...systemFields(),
      field('WhoId', 'reference', { referenceTo: ['Lead', 'Contact'] }),
      field('Subject', 'string', { length: 255 }),
      field('Description', 'textarea'),
      field('ActivityDate', 'date'),
      field('ReminderDateTime', 'datetime'),
      field('IsReminderSet', 'boolean'),
      field('Status', 'picklist', { picklist: ['Not Started', 'In Progress', 'Completed'] }),
      field('Priority', 'picklist', { picklist: ['High', 'Normal', 'Low'] }),
    ],
  },
};

/** The default Lead Status picklist of a new org. */
export const DEFAULT_LEAD_STATUSES = [
  { ApiName: 'Open - Not Contacted', IsDefault: true, IsConverted: false },
  { ApiName: 'Working - Contacted', IsDefault: false, IsConverted: false },
  { ApiName: 'Closed - Converted', IsDefault: false, IsConverted: true },
  { ApiName: 'Closed - Not Converted', IsDefault: false, IsConverted: false },
];

/**
 * A field of `object` by name (any case); undefined when the object has no such field, or when the org
 * lacks it (`absent`: `Object.Field` names of fields this org was started without, e.g. a bare org).
 */
export function fieldDef(
  object: string,
  name: string,
  absent: ReadonlySet<string> = NO_ABSENT_FIELDS,
): FieldDef | undefined {
  const lower = name.toLowerCase();
  const found = OBJECTS[object]?.fields.find((f) => f.name.toLowerCase() === lower);
  return found && !absent.has(`${object}.${found.name}`) ? found : undefined;
}

export const NO_ABSENT_FIELDS: ReadonlySet<string> = new Set();

/** `Object.Field` of LeadBridge's own custom fields on Lead and Contact: what a bare org lacks. */
export function leadBridgeFieldNames(): Set<string> {
  const own = new Set(leadBridgeFields().map((f) => f.name));
  return new Set(
    ['Lead', 'Contact'].flatMap((object) =>
      (OBJECTS[object]?.fields ?? []).filter((f) => own.has(f.name)).map((f) => `${object}.${f.name}`),
    ),
  );
}

/** The parent a reference field leads to, as `describe` names it: `ConvertedContactId` -> `ConvertedContact`. */
export function relationshipName(field: FieldDef): string | undefined {
  if (field.type !== 'reference') return undefined;
  if (field.custom) return field.name.replace(/__c$/, '__r');
  return field.name.endsWith('Id') ? field.name.slice(0, -2) : undefined;
}

/** `describe` as the REST API answers it (subset). */
export function describeObject(
  def: ObjectDef,
  baseUrl: string,
  leadStatuses: string[],
  defaultStatus: string,
  absent: ReadonlySet<string> = NO_ABSENT_FIELDS,
) {
  return {
    name: def.name,
    label: def.name,
    labelPlural: def.labelPlural,
    keyPrefix: def.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    retrieveable: true,
    fields: def.fields
      .filter((f) => !absent.has(`${def.name}.${f.name}`))
      .map((f) => {
        const values = def.name === 'Lead' && f.name === 'Status' ? leadStatuses : f.picklist;
        return {
          name: f.name,
          label: f.label,
          type: f.type,
          length: f.length,
          custom: f.custom,
          createable: f.createable,
          updateable: f.updateable,
          nillable: !f.required && f.type !== 'boolean' && f.type !== 'id',
          calculated: false,
          defaultedOnCreate: f.type === 'boolean' || f.name === 'Status' || f.name === 'OwnerId',
          unique: f.unique ?? false,
          externalId: f.externalId ?? false,
          referenceTo: f.referenceTo ?? [],
          relationshipName: relationshipName(f) ?? null,
          restrictedPicklist: def.name === 'Lead' && f.name === 'Status',
          picklistValues: (values ?? []).map((value) => ({
            active: true,
            defaultValue: def.name === 'Lead' && f.name === 'Status' && value === defaultStatus,
            label: value,
            value,
          })),
        };
      }),
    urls: {
      sobject: `${baseUrl}/sobjects/${def.name}`,
      describe: `${baseUrl}/sobjects/${def.name}/describe`,
      rowTemplate: `${baseUrl}/sobjects/${def.name}/{ID}`,
    },
  };
}
