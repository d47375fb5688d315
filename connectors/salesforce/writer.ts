import type { FieldValue } from '../../src/domain/lead.ts';
import { saveErrorText } from './save-error-text.ts';
import { PermanentError } from '../../src/errors/index.ts';
import type { RecordPatch, WriteOutcome } from '../types.ts';
import { classifyRecordError } from './classify.ts';
import type { SalesforceClient, SfRecord } from './client.ts';
import { fromCanonical, type SalesforceMapping } from './mapping.ts';
import type { RecordReader } from './records.ts';
import { realSleep, retryDelayMs } from './retry.ts';
import { LeadRow, type SaveResult } from './schemas.ts';
import { WRITE_RETRY } from './limits.ts';
import { withPartialOutcomes } from '../partial-write.ts';
import { savedResultsOf } from './saved-results.ts';

/** Key prefixes of the objects we write. https://help.salesforce.com/s/articleView?id=000385203 */
const LEAD_PREFIX = '00Q';
const CONTACT_PREFIX = '003';

/** Salesforce's answer to an update of a converted Lead; the write is sent to the Contact instead. */
export const CONVERTED_LEAD_ERRORS = new Set(['CANNOT_UPDATE_CONVERTED_LEAD', 'CONVERTED_LEAD']);

interface PendingWrite {
  index: number;
  type: 'Lead' | 'Contact';
  id: string | undefined;
  /** The lead key a create is upserted on. */
  key: string | undefined;
  fields: Record<string, FieldValue>;
}

export interface LeadWriterOptions {
  client: SalesforceClient;
  reader: RecordReader;
  mapping: SalesforceMapping;
  /** Statuses only conversion may set (from the org's LeadStatus). */
  convertedStatuses: () => Promise<ReadonlySet<string>>;
  /**
   * Create Leads with `Sforce-Auto-Assign: TRUE`, so the org's active assignment rule picks the owner
   * (owners.strategy `salesforce_assignment_rules`); jobs/notify reads the owner back after the handoff.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
   */
  autoAssign?: boolean;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Writes patches through sObject Collections (the client cuts them to 200 per call, allOrNone=false) and
 * keeps each record's own result. New Leads are upserted on the lead-key external-id field
 * (`customFields.salesforce.key`), so a create repeated after a crash updates the Lead the first made.
 * When a call fails as a whole, the error carries the outcomes obtained so far (`partialOutcomesOf`). A Lead that turns out to be converted is written on its Contact, and
 * the outcome carries the Contact id so the link follows it.
 */
export class LeadWriter {
  private readonly options: LeadWriterOptions;

  constructor(options: LeadWriterOptions) {
    this.options = options;
  }

  async write(patches: RecordPatch[]): Promise<WriteOutcome[]> {
    const outcomes: Array<WriteOutcome | undefined> = new Array(patches.length);
    const converted = await this.options.convertedStatuses();
    const contactFields = patches.some((patch) => patch.id?.startsWith(CONTACT_PREFIX))
      ? new Set(await this.options.reader.contactFields())
      : undefined;
    const pending: PendingWrite[] = patches.map((patch, index) => {
      const type = patch.id?.startsWith(CONTACT_PREFIX) ? 'Contact' : 'Lead';
      const fields = fromCanonical(patch.fields, this.options.mapping, {
        writeStatus: type === 'Lead' && patch.ownStageOnly !== true,
        convertedStatuses: converted,
        ...(type === 'Contact' && contactFields ? { available: contactFields } : {}),
      });
      return { index, type, id: patch.id, key: patch.key, fields };
    });
    for (const write of pending) {
      if (write.id && !write.id.startsWith(LEAD_PREFIX) && !write.id.startsWith(CONTACT_PREFIX)) {
        outcomes[write.index] = failure(
          write.id,
          'INVALID_ID_FIELD',
          `${write.id} is not a Lead or Contact id`,
        );
      } else if (write.id && Object.keys(write.fields).length === 0) {
        outcomes[write.index] = { ok: true, id: write.id, created: false };
      }
    }
    const open = pending.filter((write) => outcomes[write.index] === undefined);
    try {
      const redirected = await this.save(open, outcomes);
      if (redirected.length > 0) await this.redirectToContacts(redirected, outcomes);
    } catch (err) {
      throw withPartialOutcomes(err, outcomes);
    }
    return outcomes.map(
      (outcome, index) => outcome ?? failure(patches[index]?.id, 'NOT_WRITTEN', 'no result for this record'),
    );
  }

  /** Saves writes grouped by operation and object; returns the converted Leads to redo on their Contacts. */
  private async save(
    writes: PendingWrite[],
    outcomes: Array<WriteOutcome | undefined>,
  ): Promise<PendingWrite[]> {
    const redirect: PendingWrite[] = [];
    const keyField = this.options.mapping.custom.key;
    const groups: Array<[op: 'create' | 'upsert' | 'update', PendingWrite[]]> = [
      // A create without a lead key (not one the engine sends) cannot be made idempotent.
      ['create', writes.filter((w) => !w.id && !w.key)],
      ['upsert', writes.filter((w) => !w.id && w.key)],
      // Leads and converted leads' Contacts share calls: a collection update may mix object types.
      ['update', writes.filter((w) => w.id)],
    ];
    for (const [op, group] of groups) {
      let todo = group;
      for (let attempt = 1; todo.length > 0; attempt += 1) {
        const records: SfRecord[] = todo.map((w) => {
          if (w.id) return { attributes: { type: w.type }, Id: w.id, ...w.fields };
          return w.key ? { ...w.fields, [keyField]: w.key } : { ...w.fields };
        });
        let results: SaveResult[];
        try {
          results =
            op === 'create'
              ? await this.options.client.create('Lead', records, this.createHeaders('Lead'))
              : op === 'upsert'
                ? await this.options.client.upsert('Lead', keyField, records, this.createHeaders('Lead'))
                : await this.options.client.update(null, records);
        } catch (err) {
          // Chunks saved before the failure keep their outcomes (their records exist now).
          savedResultsOf(err).forEach((result, position) => {
            const write = todo[position];
            if (write && result.success)
              outcomes[write.index] = {
                ok: true,
                id: result.id ?? write.id ?? '',
                created: op === 'upsert' ? (result.created ?? true) : op === 'create',
              };
          });
          throw err;
        }
        const retry: PendingWrite[] = [];
        todo.forEach((write, position) => {
          const result = results[position] as SaveResult;
          if (result.success) {
            outcomes[write.index] = {
              ok: true,
              id: result.id ?? write.id ?? '',
              created: op === 'upsert' ? (result.created ?? true) : op === 'create',
            };
            return;
          }
          const first = result.errors[0] ?? {
            statusCode: 'UNKNOWN_ERROR',
            message: 'failed without an error',
          };
          if (write.type === 'Lead' && write.id && CONVERTED_LEAD_ERRORS.has(first.statusCode)) {
            redirect.push(write);
          } else if (
            classifyRecordError(first.statusCode, first.message).kind === 'transient' &&
            attempt < WRITE_RETRY.attempts
          ) {
            retry.push(write);
          } else {
            outcomes[write.index] = failure(write.id, first.statusCode, saveErrorText(result.errors));
          }
        });
        if (retry.length > 0) {
          await (this.options.sleep ?? realSleep)(
            retryDelayMs(attempt, (this.options.random ?? Math.random)()),
          );
        }
        todo = retry;
      }
    }
    return redirect;
  }

  private createHeaders(type: 'Lead' | 'Contact'): Record<string, string> | undefined {
    return type === 'Lead' && this.options.autoAssign ? { 'Sforce-Auto-Assign': 'TRUE' } : undefined;
  }

  private async redirectToContacts(
    writes: PendingWrite[],
    outcomes: Array<WriteOutcome | undefined>,
  ): Promise<void> {
    const leads = (await this.options.reader.readLeads(writes.map((w) => w.id as string))).map((raw) =>
      LeadRow.parse(raw),
    );
    const contactOf = new Map(leads.map((lead) => [lead.Id, lead.ConvertedContactId ?? undefined]));
    const available = new Set(await this.options.reader.contactFields());
    const retargeted: PendingWrite[] = [];
    for (const write of writes) {
      const contactId = contactOf.get(write.id as string);
      if (!contactId) {
        outcomes[write.index] = failure(
          write.id,
          'CANNOT_UPDATE_CONVERTED_LEAD',
          'converted lead has no contact',
        );
        continue;
      }
      const fields = Object.fromEntries(
        Object.entries(write.fields).filter(([name]) => name !== 'Status' && available.has(name)),
      );
      if (Object.keys(fields).length === 0)
        outcomes[write.index] = { ok: true, id: contactId, created: false };
      else retargeted.push({ ...write, type: 'Contact', id: contactId, fields });
    }
    await this.save(retargeted, outcomes);
  }
}

function failure(id: string | undefined, code: string, message: string): WriteOutcome {
  const error = new PermanentError(message, code);
  return id ? { ok: false, id, error } : { ok: false, error };
}
