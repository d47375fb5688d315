import type { StoreChange } from './store.ts';

// The Webhooks Journal (webhooks v4), pull-based: every change goes on an append-only journal kept for
// 3 days; a read answers `{currentOffset, expiresAt, url}` and `url` is a presigned file holding
// `{offset, journalEvents[], publishedAt}`. Spec: HubSpot-public-api-spec-collection, "Webhooks Journal"
// 2026-09 (journal/{earliest|latest|offset/{offset}/next}); retention from the webhooks-journal guide.
// The fields of one journal event are our construction from the actions the spec lists (CREATE, UPDATE,
// DELETE, MERGE, RESTORE, ASSOCIATION_ADDED/REMOVED, GDPR_PRIVACY_DELETION).

/** How long the journal keeps a file, in milliseconds (3 days). */
export const JOURNAL_RETENTION_MS = 3 * 24 * 3600_000;
/** Most events one published file holds. */
export const JOURNAL_FILE_MAX_EVENTS = 100;
/** How long a presigned file URL stays valid, in milliseconds. */
const URL_TTL_MS = 15 * 60_000;

export type JournalAction = 'CREATE' | 'UPDATE' | 'DELETE' | 'MERGE' | 'RESTORE' | 'GDPR_PRIVACY_DELETION';

export interface JournalEvent {
  eventId: string;
  action: JournalAction;
  objectTypeId: '0-1';
  objectId: string;
  portalId: number;
  /** Epoch milliseconds. */
  occurredAt: number;
  changeSource: string;
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: string;
  mergedObjectIds?: string[];
}

export interface JournalFile {
  /** Decimal string; offsets only grow. */
  offset: string;
  journalEvents: JournalEvent[];
  publishedAt: string;
  /** Epoch ms of publication (retention counts from it). */
  publishedAtMs: number;
}

const ACTIONS: Record<StoreChange['type'], JournalAction> = {
  creation: 'CREATE',
  propertyChange: 'UPDATE',
  deletion: 'DELETE',
  merge: 'MERGE',
  restore: 'RESTORE',
  privacyDeletion: 'GDPR_PRIVACY_DELETION',
};

/**
 * The portal's journal over the store's change log: changes gather in an open file that is published
 * when a reader reaches the end of the journal (or when it holds {@link JOURNAL_FILE_MAX_EVENTS}); files
 * older than the retention are dropped.
 */
export class Journal {
  readonly files: JournalFile[] = [];
  #pending: JournalEvent[] = [];
  #nextOffset = 1;
  #nextEventId = 1;
  readonly #clock: () => number;
  readonly #portalId: number;

  constructor(clock: () => number, portalId: number) {
    this.#clock = clock;
    this.#portalId = portalId;
  }

  reset(): void {
    this.files.length = 0;
    this.#pending = [];
    this.#nextOffset = 1;
    this.#nextEventId = 1;
  }

  record(change: StoreChange): void {
    const event: JournalEvent = {
      eventId: String(this.#nextEventId++),
      action: ACTIONS[change.type],
      objectTypeId: '0-1',
      objectId: change.objectId,
      portalId: this.#portalId,
      occurredAt: change.at,
      changeSource: change.source,
      ...(change.type === 'propertyChange'
        ? { propertyName: change.propertyName, propertyValue: change.propertyValue }
        : {}),
      ...(change.type === 'merge'
        ? { primaryObjectId: change.primaryObjectId, mergedObjectIds: change.mergedObjectIds }
        : {}),
    };
    this.#pending.push(event);
    if (this.#pending.length >= JOURNAL_FILE_MAX_EVENTS) this.publish();
  }

  /** Publishes the open file, if it has events. */
  publish(): void {
    if (this.#pending.length === 0) return;
    const now = this.#clock();
    this.files.push({
      offset: String(this.#nextOffset++),
      journalEvents: this.#pending,
      publishedAt: new Date(now).toISOString(),
      publishedAtMs: now,
    });
    this.#pending = [];
  }

  #prune(): void {
    const horizon = this.#clock() - JOURNAL_RETENTION_MS;
    while (this.files.length > 0 && (this.files[0] as JournalFile).publishedAtMs < horizon)
      this.files.shift();
  }

  earliest(): JournalFile | undefined {
    this.publish();
    this.#prune();
    return this.files[0];
  }

  latest(): JournalFile | undefined {
    this.publish();
    this.#prune();
    return this.files.at(-1);
  }

  /**
   * The file after `offset`: `expired` when that offset has left the retention window, `none` when the
   * reader is at the end of the journal.
   */
  next(offset: string): JournalFile | 'expired' | 'none' {
    this.publish();
    this.#prune();
    const position = Number(offset);
    const first = this.files[0];
    // Offsets before the first retained file (minus the one just before it) are gone.
    if (first && position < Number(first.offset) - 1) return 'expired';
    if (!first && position < this.#nextOffset - 1) return 'expired';
    return this.files.find((file) => Number(file.offset) > position) ?? 'none';
  }

  /** The read answer: current offset and a presigned URL to the file. */
  answer(file: JournalFile, baseUrl: string): { currentOffset: string; expiresAt: string; url: string } {
    return {
      currentOffset: file.offset,
      expiresAt: new Date(this.#clock() + URL_TTL_MS).toISOString(),
      url: `${baseUrl}/__journal-files/${file.offset}?signature=emulated`,
    };
  }

  file(offset: string): JournalFile | undefined {
    this.#prune();
    return this.files.find((file) => file.offset === offset);
  }
}
