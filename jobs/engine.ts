import type { ParkedWrites } from '../src/store/parked-writes.ts';
import type { TenantConnectors } from '../connectors/index.ts';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { SystemName } from '../src/domain/lead.ts';
import type { OpenTimer } from '../src/domain/ledger-timers.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import type { AuditTrail } from '../src/store/audit-trail.ts';
import type { CursorStore } from '../src/store/cursors.ts';
import type { LeadLinks } from '../src/store/lead-links.ts';
import type { LeadLedger } from '../src/store/lead-ledger.ts';
import type { SyncState } from '../src/store/sync-state.ts';
import type { SyncHealth } from '../src/store/sync-health.ts';
import type { WrittenValues } from '../src/store/written-values.ts';
import type { NotifyHook } from './notify/emit-from-reconcile.ts';

/** Everything the engine's processors need, built once per process and passed down (no singletons). */
export interface EngineDeps {
  config: LeadBridgeConfig;
  /** One HubSpot and one Salesforce connector per tenant id (connectors/index.ts). */
  connectors: Map<string, TenantConnectors>;
  links: LeadLinks;
  state: SyncState;
  /** Each lead's lifecycle ledger (appended through `state.writeMany`). */
  ledger: LeadLedger;
  cursors: CursorStore;
  audit: AuditTrail;
  /** Where a finished poll pass is recorded (for `status` and `/metrics`); optional for tests. */
  health?: SyncHealth;
  metrics: Metrics;
  logger: Logger;
  /** The clock; the domain never reads one itself. */
  now: () => Date;
  /** Schedules the deadlines a pass opened (delayed jobs); absent where no workers run them (dry run). */
  timers?: TimerScheduler;
  /** Queues owner decisions and notifications after a reconcile pass (jobs/notify/emit-from-reconcile.ts). */
  notify?: NotifyHook;
  /** Writes refused permanently, not sent again until the record or the config changes. */
  parked?: ParkedWrites;
  /** What LeadBridge last wrote to each record, so ingest can drop the webhook echoes of its own writes. */
  written?: WrittenValues;
}

/** Where reconcile hands the deadlines its transitions opened. */
export interface TimerScheduler {
  schedule(tenant: string, timers: Array<{ leadKey: string; timer: OpenTimer }>): Promise<void>;
}

/** A record that changed in one system; ingest turns change events into these, reconcile takes batches. */
export interface RecordRef {
  system: SystemName;
  /** The record's id in `system`. */
  id: string;
}

/** A record that could not be synced, kept per record (audit trail, metrics, report), never dropped. */
export interface RecordFailure {
  tenant: string;
  leadKey: string | null;
  system: SystemName;
  recordId: string | null;
  code: string;
  message: string;
  retryable: boolean;
}

/** What one reconcile batch did, for logs, metrics, `sync --once` and the benchmarks. */
export interface ReconcileBatchResult {
  tenant: string;
  /** Leads reconciled (after resolving refs to lead keys). */
  leads: number;
  /** Their lead keys, so runs of many batches can count each lead once. */
  leadKeys?: string[];
  /** Leads whose records were already equal: nothing written. */
  unchanged: number;
  written: Record<SystemName, number>;
  created: Record<SystemName, number>;
  /** Fields where both sides changed since the last sync, settled by the ownership rules. */
  conflicts: number;
  failures: RecordFailure[];
}

/**
 * Reconciles a batch of changed records of one tenant: resolves them to leads (linking new ones by email),
 * reads both sides in batch, runs the domain's `reconcileLead`, writes the patches in batch, stores the new
 * base and timeline, and appends to the audit trail. Idempotent: patches come from state, so running a batch
 * again after a crash writes only what is still missing.
 *
 * Throws RateLimitedError / RetryableError when the whole batch should be retried later; per-record problems
 * are returned in `failures` instead.
 */
export type ReconcileBatch = (
  deps: EngineDeps,
  tenant: string,
  refs: RecordRef[],
) => Promise<ReconcileBatchResult>;
