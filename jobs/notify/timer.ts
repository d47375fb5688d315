import { escalationView, type EscalationEvent, type EscalationStep } from '../../src/domain/escalation.ts';
import { notificationKey } from '../../src/domain/notification-event.ts';
import { tenantOf, type NotifyDeps } from './notify-deps.ts';
import { jobIds, type NotificationDraft } from './notify-jobs.ts';
import { STEP_TYPES } from './prepare.ts';
import { recordOutcome } from './record.ts';

const AUDIENCE = {
  reminder: ['owner'],
  breach: ['owner', 'manager'],
  reassign: ['owner', 'manager'],
} as const;

/**
 * An escalation timer fired: the ladder (a pure function of the lead's events and the clock) says which
 * rungs are due. Nothing happens if the lead moved on (followed up, or a new handoff opened a new episode).
 */
export async function fireTimer(
  deps: NotifyDeps,
  step: EscalationStep,
  draft: NotificationDraft,
): Promise<string> {
  const { engine, outbox } = deps;
  const escalation = tenantOf(deps, draft.tenant)?.config.notifications?.escalation;
  if (!escalation || !draft.dueAt) return 'no escalation configured';
  const [stored] = await engine.state.readMany(draft.tenant, [draft.leadKey]);
  const timeline = stored?.state?.timeline ?? {};
  const events: EscalationEvent[] = [];
  if (timeline.handoffAt)
    events.push({
      type: 'handed_off',
      at: timeline.handoffAt,
      dueAt: draft.dueAt,
      ownerId: null,
      episode: timeline.handoffAt,
    });
  if (timeline.handoffAt && timeline.firstFollowUpAt)
    events.push({ type: 'followed_up', at: timeline.firstFollowUpAt, episode: timeline.handoffAt });
  for (const [rung, type] of Object.entries(STEP_TYPES)) {
    const key = notificationKey({ ...draft, type });
    if (await outbox.has(draft.tenant, key))
      events.push({
        type: 'escalated',
        step: rung as EscalationStep,
        at: draft.dueAt,
        episode: draft.episode,
      });
  }
  const view = escalationView(events, escalation, engine.now());
  const due = view.due.filter((rung) => rung.episode === draft.episode);
  if (!due.some((rung) => rung.step === step)) {
    const moved = timeline.handoffAt !== draft.episode ? 'a new episode began' : 'the owner followed up';
    const already = events.some((event) => event.type === 'escalated' && event.step === step);
    if (!already)
      await recordOutcome(engine, draft.tenant, draft.leadKey, {
        event: STEP_TYPES[step],
        channel: 'timer',
        outcome: 'skipped',
        key: notificationKey({ ...draft, type: STEP_TYPES[step] }),
        detail: `the lead moved on (${moved})`,
      });
    return 'moved on';
  }
  await deps.queue.addBulk(
    due.map((rung) => {
      const next: NotificationDraft = {
        ...draft,
        type: STEP_TYPES[rung.step],
        occurredAt: rung.at.toISOString(),
        audience:
          rung.step === 'breach' && !escalation.notifyManagerOnBreach ? ['owner'] : [...AUDIENCE[rung.step]],
      };
      return {
        name: `prepare-${next.type}`,
        data: { kind: 'prepare' as const, draft: next },
        opts: {
          jobId: jobIds.prepare(notificationKey(next)),
          attempts: 5,
          backoff: { type: 'exponential', delay: 2_000 },
        },
      };
    }),
  );
  return `due: ${due.map((rung) => rung.step).join(', ')}`;
}
