import type { Lead, SystemName } from '../src/domain/lead.ts';
import type { PollCursor } from '../src/domain/poll-cursor.ts';
import type { PermanentError } from '../src/errors/permanent-error.ts';

/** A record as one system holds it now, mapped to the canonical lead. */
export interface SystemRecord {
  /** The record's id in its system (HubSpot contact id; Salesforce Lead or, once converted, Contact id). */
  id: string;
  lead: Lead;
  /** ISO-8601 instant of the system's own last-modified stamp (lastmodifieddate / SystemModstamp). */
  modifiedAt: string;
  /**
   * ISO-8601 instant the record was created (Salesforce `CreatedDate` of the Lead, HubSpot `createdate`),
   * when the API says: the "oldest" step of the duplicate choice.
   */
  createdAt?: string;
  /**
   * HubSpot: the ids merged into this contact (`hs_merged_object_ids`), so a merge whose webhook was
   * missed still re-points the link when polling sees the survivor.
   */
  mergedIds?: string[];
  /**
   * The user who made the last change (Salesforce `LastModifiedById`, HubSpot `hs_updated_by_user_id`);
   * absent when the API does not say or the change was LeadBridge's own. The ledger's actor.
   */
  actor?: string;
  /** The value of LeadBridge's own stage field on the record (it must always show the shared stage). */
  ownStage?: string | null;
}

/** Fields to write to one record. No `id` means create-or-match (HubSpot: upsert by email). */
export interface RecordPatch {
  id?: string;
  /**
   * LeadBridge's lead key. A create is keyed by it (Salesforce upserts on its external-id field), so a
   * create repeated after a crash finds the record the first one made.
   */
  key?: string;
  /** Canonical fields and values to set; `null` clears. */
  fields: Partial<Lead>;
  /** True when the lifecycle stage moves backwards by an explicit, recorded move (HubSpot: clear, then set). */
  backwardStageMove?: boolean;
  /**
   * The record's shared stage as last read, when `fields.stage` changes it. Leaving a side state must clear
   * the native value that stood for it (HubSpot `hs_lead_status`), which only the old stage tells.
   */
  previousStage?: string | null;
  /** Write only LeadBridge's own stage field, not the system's native stage fields (HubSpot). */
  ownStageOnly?: boolean;
}

export type WriteOutcome =
  | {
      ok: true;
      id: string;
      created: boolean;
      /**
       * The values the write set on the record, by the system's own field names, as the system stored
       * them, when the connector knows them (HubSpot): what the record's change notifications will echo.
       */
      written?: Record<string, string>;
    }
  | { ok: false; id?: string; error: PermanentError };

export type RemoveOutcome = { id: string; ok: true } | { id: string; ok: false; error: string };

/** Opaque-to-the-engine keyset cursor of a poller (timestamp plus id tie-break), defined in the domain. */
export type { PollCursor };

export interface PollPage {
  /** Changed records, oldest first. */
  records: SystemRecord[];
  /** Records deleted since the cursor (where the system can tell), merges excepted. */
  deletedIds: string[];
  /**
   * Records deleted by a merge (Salesforce: deleted with `MasterRecordId`), by surviving record: the
   * link re-points them to the survivor instead of retiring them.
   */
  merges?: Array<{ winnerId: string; loserIds: string[] }>;
  /** Cursor to store once these records are safely enqueued. */
  next: PollCursor | null;
  /** True when the poller has caught up. */
  done: boolean;
  /**
   * Called once the page's records are safely enqueued, before `next` is stored: a poller that keeps
   * its own memory of what it handed out (the Salesforce late-commit re-scan) records it only then, so a
   * page that never reached the queue is handed out again.
   */
  acknowledge?: () => Promise<void>;
}

export interface SetupCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

/**
 * What every connector offers the engine. Each call is batched to the API's own cap inside the
 * connector; errors come out classified (RetryableError, RateLimitedError, PermanentError).
 */
export interface Connector {
  readonly system: SystemName;
  readonly tenant: string;
  /** Batch read of records by id; ids the system no longer has are absent from the result. */
  read(ids: string[]): Promise<SystemRecord[]>;
  /** Batch write; one outcome per patch, in order, each record's own error kept. */
  write(patches: RecordPatch[]): Promise<WriteOutcome[]>;
  /**
   * Deletes records (HubSpot: archive; Salesforce: delete), batched at the API's cap, for the tenant's
   * `onDelete: propagate` policy. A record already gone counts as deleted; one the system refuses to
   * delete comes back with its reason.
   */
  remove?(ids: string[]): Promise<RemoveOutcome[]>;
  /** One page of changes after `cursor` (null: from the beginning of the overlap window). */
  poll(cursor: PollCursor | null, now: Date): Promise<PollPage>;
  /** Credentials, permissions and custom fields/properties the config needs. */
  checkSetup(): Promise<SetupCheck[]>;
}
