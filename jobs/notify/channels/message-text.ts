import type { NotificationEvent, NotificationType } from '../../../src/domain/notification-event.ts';

const TITLES: Record<NotificationType, string> = {
  lead_handed_off: 'New lead for you',
  sla_reminder: 'Follow-up due soon',
  sla_breached: 'Follow-up overdue',
  lead_rejected: 'Lead rejected by sales',
  rejection_reason_missing: 'Rejected lead needs a reason',
  lead_reassigned: 'Lead reassigned',
};

export function title(event: NotificationEvent): string {
  return TITLES[event.type];
}

/** `Ada Lovelace (Analytical Engines)`, or the email, or the lead key. */
export function leadLabel(event: NotificationEvent): string {
  const who = event.lead.name ?? event.lead.email ?? event.leadKey;
  return event.lead.company ? `${who} (${event.lead.company})` : who;
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line of what happened and what to do, shared by Slack and the Salesforce Task. */
export function summary(event: NotificationEvent): string {
  const owner = event.owner ? (event.owner.name ?? event.owner.email ?? event.owner.id) : 'no owner yet';
  const due = event.dueAt ? utc(event.dueAt) : null;
  switch (event.type) {
    case 'lead_handed_off':
      return `${leadLabel(event)} was handed to ${owner}${event.lead.score === null ? '' : ` (score ${event.lead.score})`}${due ? `; follow up by ${due}` : ''}.`;
    case 'sla_reminder':
      return `${leadLabel(event)} is waiting for ${owner}${due ? `; follow-up due ${due}` : ''}.`;
    case 'sla_breached':
      return `${leadLabel(event)} was not followed up by ${owner}${due ? ` (due ${due})` : ''}.`;
    case 'lead_rejected':
      return `${owner} rejected ${leadLabel(event)}: ${event.reason ?? 'no reason given'}.`;
    case 'rejection_reason_missing':
      return `${leadLabel(event)} was rejected without a reason${due ? ` and feedback was due ${due}` : ''}; please add one so marketing can learn from it.`;
    case 'lead_reassigned':
      return `${leadLabel(event)} moved from ${event.previousOwner ?? 'its owner'} to ${owner}${event.reason ? `: ${event.reason}` : ''}.`;
  }
}
