import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { deleteMatching } from '../src/store/redis.ts';
import type { TenantConnectors } from '../connectors/index.ts';
import type { RecordPatch, WriteOutcome } from '../connectors/types.ts';
import type { LeadBridgeConfig } from '../src/config/schema.ts';
import type { SystemName } from '../src/domain/lead.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Metrics } from '../src/metrics/prometheus.ts';
import { tenantKey } from '../src/store/keys.ts';
import { PermanentError } from '../src/errors/index.ts';
import type { SalesforceConnector } from '../connectors/salesforce/connector.ts';
import { fromCanonical } from '../connectors/salesforce/mapping.ts';
import { predictRefusal } from '../connectors/salesforce/predict-refusal.ts';
import type { DescribeResult } from '../connectors/salesforce/schemas.ts';
import { buildEngine, type EnginePrefixes, type EngineRuntime } from './engine-runtime.ts';

/** A patch a dry run would have written. */
export interface PlannedPatch {
  tenant: string;
  system: SystemName;
  /** The record it would update; null for a create. */
  recordId: string | null;
  fields: RecordPatch['fields'];
}

/** The per-tenant hashes a reconcile reads: the link table and the sync state (not the audit trail). */
const COPIED = ['links', 'by-hubspot', 'by-salesforce', 'by-email', 'state'];

/** A write the real API would refuse, or null: the dry run reports it as the real run would. */
type Predict = (patch: RecordPatch) => Promise<PermanentError | null>;

/**
 * Salesforce Lead writes checked against the org's Lead `describe` (read once): required fields, restricted
 * picklist values, field lengths. Contacts (converted leads) are not checked.
 */
function salesforcePredictor(connector: SalesforceConnector): Predict {
  let describe: Promise<DescribeResult> | undefined;
  return async (patch) => {
    if (patch.id?.startsWith('003')) return null;
    describe ??= connector.client.describe('Lead');
    const values = fromCanonical(patch.fields, connector.mapping, { writeStatus: true });
    const refusal = predictRefusal(values, await describe, patch.id ? 'update' : 'create');
    return refusal ? new PermanentError(refusal.message, refusal.code) : null;
  };
}

/** The connector with `write` answered locally: every other call (reads, polls) goes to the real one. */
function recordingConnector<T extends object>(
  connector: T,
  tenant: string,
  system: SystemName,
  planned: PlannedPatch[],
  predict?: Predict,
): T {
  let creates = 0;
  // Nothing is written, so a lead met again (a backfill reads both sides of a person) plans the same
  // update again: listed once.
  const seen = new Set<string>();
  const write = async (patches: RecordPatch[]): Promise<WriteOutcome[]> => {
    const refusals = await Promise.all(patches.map((patch) => predict?.(patch) ?? null));
    return patches.map((patch, index): WriteOutcome => {
      const refusal = refusals[index];
      if (refusal)
        return patch.id ? { ok: false, id: patch.id, error: refusal } : { ok: false, error: refusal };
      const key = patch.id ? `${patch.id} ${JSON.stringify(patch.fields)}` : null;
      if (!key || !seen.has(key))
        planned.push({ tenant, system, recordId: patch.id ?? null, fields: patch.fields });
      if (key) seen.add(key);
      if (patch.id) return { ok: true, id: patch.id, created: false };
      creates += 1;
      return { ok: true, id: `dry-run-${system}-${creates}`, created: true };
    });
  };
  return new Proxy(connector, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the real connector: its methods use private fields a proxy receiver does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** On every cluster node, one key at a time: the scratch copies of several tenants are in several slots. */
async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  await deleteMatching(redis, `${prefix}:*`);
}

/**
 * Runs `run` against an engine that reconciles for real but writes nothing that lasts: connector writes
 * are recorded instead of sent, and the state layer works on a scratch copy of each tenant's link table
 * and sync state (Redis COPY, same `{tenant}` slot), deleted when `run` ends, so the plans are those a
 * real run would make from the current state. Connector housekeeping (rate limits, sessions) is shared.
 */
export async function withDryRunEngine<T>(
  config: LeadBridgeConfig,
  deps: { redis: Redis; logger: Logger; metrics: Metrics; prefixes: EnginePrefixes },
  run: (runtime: EngineRuntime) => Promise<T>,
): Promise<{ result: T; planned: PlannedPatch[] }> {
  const { redis, prefixes } = deps;
  const scratch = `${prefixes.store}:dry-run:${randomUUID()}`;
  const planned: PlannedPatch[] = [];
  try {
    for (const { id } of config.tenants) {
      for (const name of COPIED)
        await redis.copy(tenantKey(prefixes.store, id, name), tenantKey(scratch, id, name));
    }
    const runtime = buildEngine(config, { ...deps, prefixes: { ...prefixes, store: scratch } });
    const connectors = new Map<string, TenantConnectors>();
    for (const [tenant, real] of runtime.engine.connectors) {
      connectors.set(tenant, {
        hubspot: recordingConnector(real.hubspot, tenant, 'hubspot', planned),
        salesforce: recordingConnector(
          real.salesforce,
          tenant,
          'salesforce',
          planned,
          salesforcePredictor(real.salesforce),
        ),
      });
    }
    runtime.engine.connectors = connectors;
    return { result: await run(runtime), planned };
  } finally {
    await deleteUnder(redis, scratch);
  }
}
