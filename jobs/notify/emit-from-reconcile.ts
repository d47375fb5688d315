import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { Lead } from '../../src/domain/lead.ts';
import { notificationKey, type NotificationType } from '../../src/domain/notification-event.ts';
import { durationMs } from '../../src/domain/duration.ts';
import { hasText, toNumber } from '../../src/domain/values.ts';
import type { Logger } from '../../src/log/logger.ts';
import { salesforceWriteId } from '../../src/store/lead-link.ts';
import type { LeadPlan } from '../reconcile/types.ts';
import { jobIds, type NotificationDraft } from './notify-jobs.ts';
import type { NotifyQueue } from './notify-queue.ts';

/**
 * THE ONE HOOK between the sync and notifications. It reads the lifecycle ledger entries a reconcile pass
 * appended (handoff, rejection, feedback, follow-up breach): drafts in, one `addBulk` of prepare jobs out,
 * each with a deterministic job id, so a replayed pass queues nothing new and the outbox sends nothing twice.
 */
export type NotifyHook = (tenant: string, plans: readonly LeadPlan[], now: Date) => Promise<void>;

function leadSummary(plan: LeadPlan): NotificationDraft['lead'] {
  const merged: Partial<Lead> = plan.result.merge.merged;
  const text = (value: unknown) => (hasText(value) ? String(value) : null);
  const name = [text(merged.firstName), text(merged.lastName)].filter(Boolean).join(' ');
  return {
    email: text(merged.email),
    name: name === '' ? null : name,
    company: text(merged.company),
    score: toNumber(plan.result.score.score),
    stage: plan.result.stage,
  };
}

/** A reason that is really none: today's reconcile writes a placeholder (the ledger issue removes it). */
export function realReason(value: unknown): string | null {
  if (!hasText(value)) return null;
  const text = String(value).trim();
  return /^no reason given( in \w+)?$/i.test(text) ? null : text;
}

/** Feedback is due a window after the handoff (the SLA's rule), and never before the rejection itself. */
function feedbackDue(handoffAt: string | null, rejectedAt: string, windowMs: number): string {
  const from = Date.parse(handoffAt ?? rejectedAt);
  return new Date(Math.max(Date.parse(rejectedAt), from + windowMs)).toISOString();
}

/** The notification drafts one reconciled lead gives rise to. */
export function draftsFor(
  config: LeadBridgeConfig,
  tenant: string,
  plan: LeadPlan,
  now: Date,
): NotificationDraft[] {
  const notifying = config.tenants.find((t) => t.id === tenant)?.notifications !== undefined;
  const { result } = plan;
  const link = plan.sides.link;
  const at = now.toISOString();
  const handoffAt = result.timeline.handoffAt ?? null;
  const draft = (
    type: NotificationType,
    episode: string,
    extra: Partial<NotificationDraft>,
  ): NotificationDraft => ({
    tenant,
    leadKey: link.leadKey,
    type,
    episode,
    occurredAt: at,
    audience: ['owner'],
    reason: null,
    dueAt: null,
    records: { hubspot: link.hubspot, salesforce: salesforceWriteId(link) },
    lead: leadSummary(plan),
    ...extra,
  });
  const drafts: NotificationDraft[] = [];
  // This pass's ledger entries. An episode is named by the instant that opened it (the handoff's, which the
  // escalation timers compare with the lead's clock, or the rejection's), so a replayed pass, which appends
  // nothing, notifies nothing, and a new handoff or rejection is a new notification.
  const rejectedAt = hasText(result.computed.rejectedAt) ? String(result.computed.rejectedAt) : null;
  for (const entry of result.ledger) {
    if (entry.type === 'transition' && entry.history !== true) {
      if (entry.to === config.lifecycle.handoffStage) {
        // The owner is decided even when no notification is configured.
        drafts.push(
          draft('lead_handed_off', handoffAt ?? entry.sourceTime, {
            occurredAt: entry.sourceTime,
            dueAt: entry.timers?.followUpDueAt ?? result.computed.slaDueAt ?? null,
          }),
        );
      } else if (notifying && entry.to === 'rejected') {
        const reason = realReason(entry.reason);
        const window = durationMs(config.sla.rejectionFeedbackWithin);
        drafts.push(
          reason
            ? draft('lead_rejected', entry.sourceTime, {
                occurredAt: entry.sourceTime,
                reason,
                audience: ['marketing'],
              })
            : draft('rejection_reason_missing', entry.sourceTime, {
                occurredAt: entry.sourceTime,
                dueAt: entry.timers?.feedbackDueAt ?? feedbackDue(handoffAt, entry.sourceTime, window),
              }),
        );
      }
    } else if (notifying && entry.type === 'feedback') {
      // The reason came after the rejection: marketing hears it now, once per rejection.
      drafts.push(
        draft('lead_rejected', rejectedAt ?? entry.sourceTime, {
          occurredAt: entry.sourceTime,
          reason: entry.reason,
          audience: ['marketing'],
        }),
      );
    } else if (notifying && entry.type === 'breach' && entry.timer === 'follow_up' && handoffAt) {
      drafts.push(draft('sla_breached', handoffAt, { dueAt: entry.dueAt, audience: ['owner', 'manager'] }));
    }
  }
  return drafts;
}

/**
 * The hook reconcile calls after a pass: queues the pass's notification drafts. It never fails the sync:
 * a queue error is logged (the events stay computable from state on the ledger's timers).
 */
export function notifyFromReconcile(
  queue: NotifyQueue,
  config: LeadBridgeConfig,
  logger: Logger,
): NotifyHook {
  return async (tenant, plans, now) => {
    const drafts = plans.flatMap((plan) => draftsFor(config, tenant, plan, now));
    if (drafts.length === 0) return;
    try {
      await queue.addBulk(
        drafts.map((draft) => {
          // A missing reason is asked for only once the feedback window has passed.
          const delay =
            draft.type === 'rejection_reason_missing' && draft.dueAt
              ? Math.max(0, Date.parse(draft.dueAt) - now.getTime())
              : 0;
          return {
            name: `prepare-${draft.type}`,
            data: { kind: 'prepare' as const, draft },
            opts: {
              jobId: jobIds.prepare(notificationKey(draft)),
              delay,
              attempts: 5,
              backoff: { type: 'exponential', delay: 2_000 },
            },
          };
        }),
      );
    } catch (error) {
      logger.warn({ err: error, tenant, drafts: drafts.length }, 'could not queue notifications');
    }
  };
}
