import type { SalesforceRecord } from '../../connectors/salesforce/records.ts';
import type { HubSpotRecordPatch } from '../../connectors/hubspot/writer.ts';
import type { RecordPatch, SystemRecord, WriteOutcome } from '../../connectors/types.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { SystemName } from '../../src/domain/lead.ts';
import type { FieldMapping } from '../../src/domain/ownership-schema.ts';
import type { LeadReconciliation } from '../../src/domain/reconcile-lead.ts';
import type { LeadLink } from '../../src/store/lead-link.ts';
import type { VersionedState } from '../../src/store/sync-state.ts';
import type { RecordFailure, RecordRef } from '../engine.ts';

/**
 * A `RecordRef` with what change detection knew about it. Ingest may pass these to `reconcileBatch`
 * (they are `RecordRef`s); the extra fields only feed the audit trail's `change_seen` entries. Without
 * them the entry says `manual` and the record's own last-modified instant.
 */
export interface SeenRef extends RecordRef {
  source?: ChangeEvent['source'];
  kind?: ChangeEvent['kind'];
  /** ISO-8601 instant of the change in its system. */
  occurredAt?: string;
  /**
   * The record as a list or query page returned it just now (backfill): reconcile uses it instead of
   * reading the same record again by id. Only for records read within the same pass; never queued.
   */
  record?: SystemRecord | SalesforceRecord;
  /** When `record` was read (epoch milliseconds): a lead synced after that must be read again. */
  recordReadAt?: number;
}

/** Records already read in this batch, by the id they were asked for (and, in Salesforce, their Lead id). */
export interface ReadCache {
  hubspot: Map<string, SystemRecord>;
  salesforce: Map<string, SalesforceRecord>;
  /**
   * Set when records came with their refs (a backfill's pages): the earliest time one of them was read,
   * in epoch milliseconds. Such a record may be older than what a worker synced meanwhile.
   */
  handedReadAt?: number;
}

export function emptyReadCache(): ReadCache {
  return { hubspot: new Map(), salesforce: new Map() };
}

/** One lead of the batch with both of its records as read now. */
export interface LeadSides {
  link: LeadLink;
  hubspot: SystemRecord | null;
  salesforce: SalesforceRecord | null;
  /**
   * The link names a record on this side that the read did not return (deleted, merged away): the side
   * is reconciled as absent but never re-created, since a person removed it on purpose.
   */
  missing: Record<SystemName, boolean>;
}

/** What reconcile decided for one lead, with the patch (if any) for each side. */
export interface LeadPlan {
  sides: LeadSides;
  state: VersionedState;
  result: LeadReconciliation;
  patches: { hubspot?: HubSpotRecordPatch; salesforce?: RecordPatch };
  /** Problems found while planning (e.g. a linked record that is gone). */
  failures: RecordFailure[];
  /** The field mappings the merge used (for the audit trail's rule per patched field). */
  fields?: readonly FieldMapping[];
  /**
   * A side whose needed patch the pass chose not to send (a create stopped because the person already
   * exists there in a way LeadBridge does not link): it keeps its old base, as after a refused write.
   */
  withheld?: Partial<Record<SystemName, true>>;
}

/** A patch and what its system answered. */
export interface SideWrite {
  patch: RecordPatch;
  outcome: WriteOutcome;
}

export type LeadWrites = Partial<Record<SystemName, SideWrite>>;
