import { readRecordOwner } from '../../connectors/salesforce/owners.ts';
import { channelsFor } from '../../src/config/notifications-schema.ts';
import { ladder } from '../../src/domain/escalation.ts';
import { notificationKey, type NotificationEvent } from '../../src/domain/notification-event.ts';
import {
  assignOwner,
  describeOwner,
  reassignOwner,
  syncHubSpotOwner,
  type OwnerDecision,
} from './assign-owner.ts';
import { realReason } from './emit-from-reconcile.ts';
import { recordLinks } from './links.ts';
import { tenantOf, type NotifyDeps } from './notify-deps.ts';
import { jobIds, type NotificationDraft } from './notify-jobs.ts';
import { deliveryOptions } from './notify-queue.ts';
import { recordOutcome } from './record.ts';

const STEP_TYPES = { reminder: 'sla_reminder', breach: 'sla_breached', reassign: 'lead_reassigned' } as const;

/**
 * Turns a draft into an event and queues its deliveries, once per idempotency key: at a handoff it first
 * decides the owner (and writes it to HubSpot) and arms the escalation timers; a reassignment moves the
 * lead to the next owner in the pool; other events read the current owner.
 */
export async function prepare(deps: NotifyDeps, draft: NotificationDraft): Promise<string> {
  const { engine, outbox } = deps;
  const found = tenantOf(deps, draft.tenant);
  if (!found) return 'unknown tenant';
  const { config, connectors } = found;
  const key = notificationKey(draft);
  // Recorded once; a replay, or a retry of a job that stopped half-way, finds it ('queued': all done).
  const state = await outbox.claim(draft.tenant, key, draft);
  if (state === 'queued') return 'duplicate';
  if (draft.type === 'rejection_reason_missing' && (await reasonArrived(deps, draft))) {
    await outbox.markQueued(draft.tenant, key);
    return 'reason arrived in time';
  }

  const salesforceId = draft.records.salesforce;
  let decision: OwnerDecision | null = null;
  let ownerId: string | null = null;
  if (salesforceId) {
    await connectors.salesforce.client.beforeWork();
    const context = {
      tenant: draft.tenant,
      key,
      config: config.owners,
      connectors,
      outbox,
      roundRobin: deps.roundRobin,
      now: engine.now,
    };
    if (draft.type === 'lead_handed_off') decision = await assignOwner(context, salesforceId);
    else if (draft.type === 'lead_reassigned') {
      if (config.owners.strategy !== 'round_robin') {
        await recordOutcome(engine, draft.tenant, draft.leadKey, {
          event: draft.type,
          channel: 'owner',
          outcome: 'skipped',
          key,
          detail: 'reassignment needs the round_robin strategy',
        });
        await outbox.markQueued(draft.tenant, key);
        return 'skipped';
      }
      decision = await reassignOwner(context, salesforceId);
    } else ownerId = await readRecordOwner(connectors.salesforce.client, salesforceId);
  }
  if (decision) ownerId = decision.ownerId;
  const owner = ownerId ? await describeOwner(connectors, ownerId) : null;
  if (decision) {
    await recordOutcome(engine, draft.tenant, draft.leadKey, {
      event: draft.type,
      channel: 'owner',
      outcome: 'assigned',
      key,
      detail: `${owner?.name ?? ownerId ?? 'nobody'} (${decision.how}: ${decision.detail})`,
    });
    if (draft.records.hubspot) {
      const synced = await syncHubSpotOwner(connectors, config.owners, draft.records.hubspot, owner);
      if (synced.error) {
        engine.metrics.recordFailures.inc({
          tenant: draft.tenant,
          system: 'hubspot',
          code: synced.error.code,
        });
        await engine.audit.append(draft.tenant, draft.leadKey, {
          type: 'record_error',
          at: engine.now().toISOString(),
          system: 'hubspot',
          recordId: draft.records.hubspot,
          code: synced.error.code,
          message: `${synced.error.message}; hubspot_owner_id ${synced.written ? `set to the fallback ${synced.written}` : 'left as it was'}`,
          retryable: false,
        });
      }
    }
  }

  const notifications = config.notifications;
  if (!notifications) {
    await outbox.markQueued(draft.tenant, key);
    return 'no notifications configured';
  }
  const event: NotificationEvent = {
    schemaVersion: 1,
    id: key,
    type: draft.type,
    tenant: draft.tenant,
    leadKey: draft.leadKey,
    occurredAt: draft.occurredAt,
    episode: draft.episode,
    audience: draft.audience,
    lead: draft.lead,
    owner: owner ? { id: owner.id, name: owner.name, email: owner.email } : null,
    reason: draft.reason,
    dueAt: draft.dueAt,
    records: draft.records,
    links: recordLinks(config, draft.records),
    ...(decision?.how === 'reassigned' ? { previousOwner: decision.previousOwner } : {}),
    ...(draft.audience.includes('manager') ? { manager: config.owners.managerEmail ?? null } : {}),
  };
  const options = deliveryOptions(notifications);
  await deps.queue.addBulk(
    channelsFor(notifications, draft.type).map((channel) => ({
      name: `deliver-${channel}`,
      data: { kind: 'deliver' as const, event, channel },
      opts: { ...options, jobId: jobIds.deliver(key, channel) },
    })),
  );
  if (draft.type === 'lead_handed_off' && draft.dueAt) await armTimers(deps, draft, ownerId);
  await outbox.markQueued(draft.tenant, key);
  return 'queued';
}

/** The feedback window ended: is the lead still rejected without a reason? */
async function reasonArrived(deps: NotifyDeps, draft: NotificationDraft): Promise<boolean> {
  const [stored] = await deps.engine.state.readMany(draft.tenant, [draft.leadKey]);
  const base = stored?.state?.base;
  return base !== undefined && (base.stage !== 'rejected' || realReason(base.rejectionReason) !== null);
}

/** Delayed jobs for the escalation rungs of this handoff, with ids that make re-arming a no-op. */
async function armTimers(deps: NotifyDeps, draft: NotificationDraft, ownerId: string | null): Promise<void> {
  const config = tenantOf(deps, draft.tenant)?.config;
  const escalation = config?.notifications?.escalation;
  if (!escalation || !draft.dueAt) return;
  const now = deps.engine.now().getTime();
  const rungs = ladder({ dueAt: draft.dueAt, ownerId, episode: draft.episode }, escalation).filter(
    (rung) => rung.step !== 'reassign' || config.owners.strategy === 'round_robin',
  );
  await deps.queue.addBulk(
    rungs.map((rung) => ({
      name: `timer-${rung.step}`,
      data: {
        kind: 'timer' as const,
        step: rung.step,
        draft: { ...draft, type: STEP_TYPES[rung.step], occurredAt: rung.at.toISOString() },
      },
      opts: {
        jobId: jobIds.timer(draft.tenant, draft.leadKey, draft.episode, rung.step),
        delay: Math.max(0, rung.at.getTime() - now),
        attempts: 5,
      },
    })),
  );
}

export { STEP_TYPES };
