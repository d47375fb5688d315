import { sfDate, sfDateTime } from './datetime.ts';
import { isValidId, KEY_PREFIX, makeId, toId18 } from './ids.ts';
import { DEFAULT_LEAD_STATUSES, OBJECTS } from './objects.ts';
import { validateValues, type Row, type SaveError } from './validation.ts';

/**
 * The org's one active Lead assignment rule, simplified: the first entry whose field equals its value
 * gives the owner, otherwise `defaultOwnerId`. Applied to a Lead created with `Sforce-Auto-Assign: TRUE`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
 */
export interface AssignmentRule {
  entries: Array<{ field: string; equals: string; ownerId: string }>;
  defaultOwnerId: string;
}

/** Sales users and a queue every org starts with, for owner assignment. */
export interface SeededOwners {
  /** Active reps. */
  ana: string;
  ben: string;
  /** A deactivated rep. */
  cy: string;
  /** The "Inbound Leads" queue (a Group of Type Queue). */
  queue: string;
}

export type SaveOutcome = { success: true; id: string } | { success: false; errors: SaveError[] };

/** Options of one write: who makes it, and (for a long transaction) when its stamp says it started. */
export interface WriteContext {
  userId: string;
  /** Epoch ms to stamp instead of now: a transaction that started earlier and commits late. */
  stampAt?: number;
}

/**
 * The org's data in memory: every object's rows (deleted ones stay, with IsDeleted, as in the recycle
 * bin), with the system fields Salesforce keeps — CreatedDate, LastModifiedDate, LastModifiedById and
 * SystemModstamp, in whole seconds, bumped by every change including system ones such as conversion.
 */
export class OrgStore {
  readonly orgId: string;
  readonly integrationUserId: string;
  readonly repUserId: string;
  readonly owners: SeededOwners;
  assignmentRule: AssignmentRule;
  private readonly now: () => number;
  private tables = new Map<string, Map<string, Row>>();
  private counters = new Map<string, number>();
  /**
   * Per object and field looked up by `findByExternalId`: lower-cased value -> ids of the rows that held
   * it when written through this store. A lookup checks each candidate again (deleted, value moved on),
   * so a stale entry costs a check, never a wrong answer; every write path of the store re-indexes the
   * row it wrote. Without it an upsert of 200 records scanned every row of the object several times each.
   */
  private keyIndex = new Map<string, Map<string, Map<string, Set<string>>>>();

  /** `Object.Field` names of fields this org does not have (a bare org lacks LeadBridge's custom fields). */
  readonly absentFields: ReadonlySet<string>;

  constructor(options: { orgId: string; now: () => number; absentFields?: ReadonlySet<string> }) {
    this.absentFields = options.absentFields ?? new Set();
    this.orgId = toId18(options.orgId);
    this.now = options.now;
    this.integrationUserId = makeId(KEY_PREFIX.User, 1);
    this.repUserId = makeId(KEY_PREFIX.User, 2);
    this.owners = {
      ana: makeId(KEY_PREFIX.User, 3),
      ben: makeId(KEY_PREFIX.User, 4),
      cy: makeId(KEY_PREFIX.User, 5),
      queue: makeId(KEY_PREFIX.Group, 1),
    };
    this.assignmentRule = { entries: [], defaultOwnerId: this.repUserId };
    this.reset();
  }

  /** Empties every object and restores the default Lead Status picklist and the two users. */
  reset(): void {
    this.tables = new Map(Object.keys(OBJECTS).map((name) => [name, new Map<string, Row>()]));
    this.counters = new Map();
    this.keyIndex = new Map();
    const system = { userId: this.integrationUserId };
    this.nextId(KEY_PREFIX.User);
    this.nextId(KEY_PREFIX.User);
    for (const [id, username, first, last] of [
      [this.integrationUserId, 'integration@leadbridge.example', 'Integration', 'User'],
      [this.repUserId, 'rep@leadbridge.example', 'Riley', 'Rep'],
    ] as const) {
      this.table('User').set(id, {
        ...this.systemValues(system),
        Id: id,
        Username: username,
        FirstName: first,
        LastName: last,
        Name: `${first} ${last}`,
        Email: username,
        IsActive: true,
        Out_Of_Office__c: false,
      });
    }
    const people = [
      [this.owners.ana, 'Ana', 'Alvarez', true],
      [this.owners.ben, 'Ben', 'Baker', true],
      [this.owners.cy, 'Cy', 'Chen', false],
    ] as const;
    for (const [id, first, last, active] of people) {
      this.nextId(KEY_PREFIX.User);
      const email = `${first.toLowerCase()}@leadbridge.example`;
      this.table('User').set(id, {
        ...this.systemValues(system),
        Id: id,
        Username: email,
        FirstName: first,
        LastName: last,
        Name: `${first} ${last}`,
        Email: email,
        IsActive: active,
        Out_Of_Office__c: false,
      });
    }
    this.nextId(KEY_PREFIX.Group);
    this.table('Group').set(this.owners.queue, {
      ...this.systemValues(system),
      Id: this.owners.queue,
      Name: 'Inbound Leads',
      DeveloperName: 'Inbound_Leads',
      Type: 'Queue',
    });
    this.assignmentRule = { entries: [], defaultOwnerId: this.repUserId };
    DEFAULT_LEAD_STATUSES.forEach((status, index) => {
      const id = this.nextId(KEY_PREFIX.LeadStatus);
      this.table('LeadStatus').set(id, {
        ...this.systemValues(system),
        Id: id,
        MasterLabel: status.ApiName,
        ApiName: status.ApiName,
        SortOrder: index + 1,
        IsDefault: status.IsDefault,
        IsConverted: status.IsConverted,
      });
    });
  }

  table(object: string): Map<string, Row> {
    const table = this.tables.get(object);
    if (!table) throw new Error(`unknown object ${object}`);
    return table;
  }

  rows(object: string): Row[] {
    return [...this.table(object).values()];
  }

  get(object: string, id: string): Row | undefined {
    return isValidId(id) ? this.table(object).get(toId18(id)) : undefined;
  }

  /** Which object an id belongs to, by its key prefix. */
  objectOf(id: string): string | undefined {
    return Object.values(OBJECTS).find((def) => id.startsWith(def.keyPrefix))?.name;
  }

  leadStatuses(): string[] {
    return this.rows('LeadStatus')
      .sort((a, b) => Number(a.SortOrder) - Number(b.SortOrder))
      .map((row) => String(row.ApiName));
  }

  defaultLeadStatus(): string {
    const row = this.rows('LeadStatus').find((r) => r.IsDefault === true);
    return String(row?.ApiName ?? this.leadStatuses()[0]);
  }

  convertedLeadStatus(): string {
    const row = this.rows('LeadStatus').find((r) => r.IsConverted === true);
    return String(row?.ApiName ?? 'Closed - Converted');
  }

  insert(object: string, input: Record<string, unknown>, context: WriteContext): SaveOutcome {
    const { values, errors } = validateValues(object, input, 'create', {
      leadStatuses: this.leadStatuses(),
      absentFields: this.absentFields,
    });
    if (errors.length > 0) return { success: false, errors };
    const ownerError = this.ownerError(object, values.OwnerId);
    if (ownerError) return { success: false, errors: [ownerError] };
    const duplicates = this.uniqueViolations(object, values, undefined);
    if (duplicates.length > 0) return { success: false, errors: duplicates };
    const id = this.nextId(OBJECTS[object]?.keyPrefix ?? '000');
    const row: Row = { ...this.defaults(object), ...values, ...this.systemValues(context), Id: id };
    this.deriveFields(object, row);
    this.table(object).set(id, row);
    this.indexKeys(object, row);
    return { success: true, id };
  }

  update(object: string, id: string, input: Record<string, unknown>, context: WriteContext): SaveOutcome {
    const fail = (statusCode: string, message: string, fields: string[] = []): SaveOutcome => ({
      success: false,
      errors: [{ statusCode, message, fields }],
    });
    if (!isValidId(id) || this.objectOf(id) !== object)
      return fail('MALFORMED_ID', `malformed id ${id}`, ['Id']);
    const current = this.get(object, id);
    if (!current) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    if (current.IsDeleted) return fail('ENTITY_IS_DELETED', 'entity is deleted');
    if (object === 'Lead' && current.IsConverted)
      return fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    const { values, errors } = validateValues(object, input, 'update', {
      current,
      leadStatuses: this.leadStatuses(),
      absentFields: this.absentFields,
    });
    if (errors.length > 0) return { success: false, errors };
    const ownerError = this.ownerError(object, values.OwnerId);
    if (ownerError) return { success: false, errors: [ownerError] };
    const duplicates = this.uniqueViolations(object, values, String(current.Id));
    if (duplicates.length > 0) return { success: false, errors: duplicates };
    this.applyChange(object, current, values, context);
    return { success: true, id: String(current.Id) };
  }

  /** Runs the assignment rule on a Lead just created (the `Sforce-Auto-Assign: TRUE` header). */
  applyAssignmentRule(id: string): void {
    const lead = this.get('Lead', id);
    if (!lead) return;
    const rule = this.assignmentRule;
    const entry = rule.entries.find((e) => String(lead[e.field] ?? '') === e.equals);
    lead.OwnerId = entry?.ownerId ?? rule.defaultOwnerId;
    this.indexKeys('Lead', lead);
  }

  /** Salesforce refuses an owner that is not an active User or a queue. */
  private ownerError(object: string, ownerId: unknown): SaveError | undefined {
    if (
      ownerId === undefined ||
      ownerId === null ||
      !OBJECTS[object]?.fields.some((f) => f.name === 'OwnerId')
    )
      return undefined;
    const id = String(ownerId);
    const user = this.get('User', id);
    if (user && user.IsActive === true) return undefined;
    if (!user && this.get('Group', id)) return undefined;
    return user
      ? {
          statusCode: 'INACTIVE_OWNER_OR_USER',
          message: `operation performed with inactive user [${id}] as owner of ${object.toLowerCase()}`,
          fields: [],
        }
      : {
          statusCode: 'INVALID_CROSS_REFERENCE_KEY',
          message: 'invalid cross reference id',
          fields: ['OwnerId'],
        };
  }

  /**
   * The live rows whose external-id `field` holds `value` (case-insensitive): an upsert matches these.
   * Deleted rows are in the recycle bin and match nothing.
   */
  findByExternalId(object: string, field: string, value: string): Row[] {
    const needle = value.toLowerCase();
    const holds = (row: Row | undefined): row is Row =>
      row !== undefined &&
      !row.IsDeleted &&
      typeof row[field] === 'string' &&
      row[field].toLowerCase() === needle;
    const table = this.table(object);
    const found = [...(this.indexOf(object, field).get(needle) ?? [])]
      .map((id) => table.get(id))
      .filter(holds);
    // Several matches (a non-unique field) come back in the table's order, as a scan gives them.
    return found.length > 1 ? this.rows(object).filter((row) => found.includes(row)) : found;
  }

  /** The lookup index of `object`'s `field`, built from every row on first use. */
  private indexOf(object: string, field: string): Map<string, Set<string>> {
    let byField = this.keyIndex.get(object);
    if (!byField) this.keyIndex.set(object, (byField = new Map()));
    let byValue = byField.get(field);
    if (!byValue) {
      byField.set(field, (byValue = new Map()));
      for (const row of this.table(object).values()) addKey(byValue, row[field], String(row.Id));
    }
    return byValue;
  }

  /** Adds `row`'s values to the indexes of its object built so far (a write through this store). */
  private indexKeys(object: string, row: Row): void {
    const byField = this.keyIndex.get(object);
    if (!byField) return;
    for (const [field, byValue] of byField) addKey(byValue, row[field], String(row.Id));
  }

  /** Puts back a row's values as they were before a rolled-back write (allOrNone). */
  restore(object: string, id: string, snapshot: Row): void {
    const row = this.get(object, id);
    if (!row) return;
    Object.assign(row, snapshot);
    this.indexKeys(object, row);
  }

  /** DUPLICATE_VALUE errors for unique fields in `values` that another live row already holds. */
  private uniqueViolations(object: string, values: Row, selfId: string | undefined): SaveError[] {
    const errors: SaveError[] = [];
    for (const def of OBJECTS[object]?.fields ?? []) {
      const value = values[def.name];
      if (!def.unique || typeof value !== 'string' || value === '') continue;
      const other = this.findByExternalId(object, def.name, value).find((row) => row.Id !== selfId);
      if (other) {
        errors.push({
          statusCode: 'DUPLICATE_VALUE',
          message: `duplicate value found: ${def.name} duplicates value on record with id: ${String(other.Id)}`,
          fields: [def.name],
        });
      }
    }
    return errors;
  }

  /** A change by the platform or a person, bypassing API validation of read-only fields. */
  applyChange(object: string, row: Row, values: Row, context: WriteContext): void {
    Object.assign(row, values, this.modifiedValues(context));
    this.deriveFields(object, row);
    this.indexKeys(object, row);
  }

  delete(object: string, id: string, context: WriteContext): boolean {
    const row = this.get(object, id);
    if (!row || row.IsDeleted) return false;
    this.applyChange(object, row, { IsDeleted: true }, context);
    return true;
  }

  /**
   * A merge as Salesforce does it: up to two records into a master of the same object; the master keeps
   * its id and values (its SystemModstamp moves), the others are deleted with `MasterRecordId` set to the
   * master, which queryAll returns. Converted Leads cannot be merged.
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm
   */
  mergeLeads(
    masterId: string,
    mergedIds: string[],
    context: WriteContext,
  ): { masterId: string; mergedIds: string[] } {
    if (mergedIds.length < 1 || mergedIds.length > 2)
      throw new MergeError('INVALID_OPERATION', 'a merge takes a master and one or two other records');
    const master = this.get('Lead', masterId);
    if (!master) throw new MergeError('INVALID_ID_FIELD', `invalid id: ${masterId}`);
    const merged = mergedIds.map((id) => {
      const row = this.get('Lead', id);
      if (!row || row.Id === master.Id) throw new MergeError('INVALID_ID_FIELD', `invalid id: ${id}`);
      return row;
    });
    for (const row of [master, ...merged]) {
      if (row.IsDeleted) throw new MergeError('ENTITY_IS_DELETED', 'entity is deleted');
      if (row.IsConverted)
        throw new MergeError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    }
    this.applyChange('Lead', master, {}, context);
    for (const row of merged)
      this.applyChange('Lead', row, { IsDeleted: true, MasterRecordId: String(master.Id) }, context);
    return { masterId: String(master.Id), mergedIds: merged.map((row) => String(row.Id)) };
  }

  /**
   * Lead conversion as Salesforce does it: an Account from Company, a Contact carrying the person and
   * LeadBridge's fields (the lead field mapping), optionally an Opportunity; the Lead becomes read-only
   * with a converted Status and the Converted* ids.
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm
   */
  convertLead(leadId: string, options: { createOpportunity: boolean; context: WriteContext }) {
    const lead = this.get('Lead', leadId);
    if (!lead || lead.IsDeleted) throw new Error(`no lead ${leadId}`);
    if (lead.IsConverted) throw new Error(`lead ${leadId} is already converted`);
    const { context } = options;
    const account = this.insertSystem(
      'Account',
      { Name: lead.Company ?? null, Industry: lead.Industry ?? null },
      context,
    );
    const carried = Object.fromEntries(
      ['FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title', 'LeadSource']
        .concat(OBJECTS.Contact?.fields.filter((f) => f.custom).map((f) => f.name) ?? [])
        .map((name) => [name, lead[name] ?? null]),
    );
    const contact = this.insertSystem('Contact', { ...carried, AccountId: account }, context);
    const now = this.now();
    const opportunity = options.createOpportunity
      ? this.insertSystem(
          'Opportunity',
          {
            Name: `${String(lead.Company)}-`,
            AccountId: account,
            StageName: 'Prospecting',
            CloseDate: sfDate(now + 30 * 86_400_000),
            LeadSource: lead.LeadSource ?? null,
          },
          context,
        )
      : null;
    this.applyChange(
      'Lead',
      lead,
      {
        IsConverted: true,
        Status: this.convertedLeadStatus(),
        ConvertedDate: sfDate(now),
        ConvertedAccountId: account,
        ConvertedContactId: contact,
        ConvertedOpportunityId: opportunity,
      },
      context,
    );
    return { accountId: account, contactId: contact, opportunityId: opportunity };
  }

  /** A rep closes a deal. */
  closeOpportunity(id: string, won: boolean, context: WriteContext): Row {
    const opp = this.get('Opportunity', id);
    if (!opp || opp.IsDeleted) throw new Error(`no opportunity ${id}`);
    this.applyChange('Opportunity', opp, { StageName: won ? 'Closed Won' : 'Closed Lost' }, context);
    return opp;
  }

  private insertSystem(object: string, values: Row, context: WriteContext): string {
    const id = this.nextId(OBJECTS[object]?.keyPrefix ?? '000');
    const row: Row = { ...this.defaults(object), ...values, ...this.systemValues(context), Id: id };
    this.deriveFields(object, row);
    this.table(object).set(id, row);
    this.indexKeys(object, row);
    return id;
  }

  private defaults(object: string): Row {
    const row: Row = {};
    for (const def of OBJECTS[object]?.fields ?? []) row[def.name] = def.type === 'boolean' ? false : null;
    row.OwnerId = this.repUserId;
    if (object === 'Lead') row.Status = this.defaultLeadStatus();
    return row;
  }

  private deriveFields(object: string, row: Row): void {
    if (object === 'Lead' || object === 'Contact') {
      row.Name = [row.FirstName, row.LastName].filter((part) => part).join(' ') || null;
    }
    if (object === 'Opportunity') {
      row.IsClosed = row.StageName === 'Closed Won' || row.StageName === 'Closed Lost';
      row.IsWon = row.StageName === 'Closed Won';
    }
  }

  private systemValues(context: WriteContext): Row {
    const stamp = sfDateTime(context.stampAt ?? this.now());
    return {
      IsDeleted: false,
      CreatedDate: stamp,
      CreatedById: context.userId,
      LastModifiedDate: stamp,
      LastModifiedById: context.userId,
      SystemModstamp: stamp,
    };
  }

  private modifiedValues(context: WriteContext): Row {
    const stamp = sfDateTime(context.stampAt ?? this.now());
    return { LastModifiedDate: stamp, LastModifiedById: context.userId, SystemModstamp: stamp };
  }

  private nextId(prefix: string): string {
    const next = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, next);
    return makeId(prefix, next);
  }
}

function addKey(byValue: Map<string, Set<string>>, value: unknown, id: string): void {
  if (typeof value !== 'string' || value === '') return;
  const key = value.toLowerCase();
  const ids = byValue.get(key);
  if (ids) ids.add(id);
  else byValue.set(key, new Set([id]));
}

/** A merge Salesforce refuses, with the API's status code. */
export class MergeError extends Error {
  readonly statusCode: string;

  constructor(statusCode: string, message: string) {
    super(message);
    this.name = 'MergeError';
    this.statusCode = statusCode;
  }
}
