import type { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import { soqlString } from '../../../connectors/salesforce/owners.ts';
import type { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { PermanentError } from '../../../src/errors/permanent-error.ts';
import { webhookMessageId } from '../message-id.ts';
import { summary, title } from './message-text.ts';

/** The Task subject: prefix, title and a short id of the notification, which also finds it again. */
export function taskSubject(event: NotificationEvent, prefix: string): string {
  return `${prefix}: ${title(event)} [${webhookMessageId(event.id).slice(4, 14)}]`;
}

/**
 * A Task on the Lead, assigned to its owner (a queue cannot own a Task, so then the integration user
 * keeps it), due on the SLA day with a reminder at the SLA time. Before creating it, the Task is looked
 * up by its subject on the Lead, so a delivery retried after a crash does not add a second one.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
 */
export async function createTask(
  client: SalesforceClient,
  event: NotificationEvent,
  subjectPrefix: string,
): Promise<string> {
  const whoId = event.records.salesforce;
  if (!whoId)
    throw new PermanentError('the lead has no Salesforce record to put a Task on', 'NO_SALESFORCE_RECORD');
  const subject = taskSubject(event, subjectPrefix);
  const existing = await client.query(
    `SELECT Id FROM Task WHERE WhoId = ${soqlString(whoId)} AND Subject = ${soqlString(subject)}`,
  );
  const found = existing[0]?.Id;
  if (typeof found === 'string') return `task ${found} already there`;
  const ownerId = event.owner?.id.startsWith('005') ? event.owner.id : undefined;
  const [result] = await client.create('Task', [
    {
      WhoId: whoId,
      Subject: subject,
      Description: [summary(event), event.links.hubspot ? `HubSpot: ${event.links.hubspot}` : '']
        .filter(Boolean)
        .join('\n'),
      Status: 'Not Started',
      Priority: 'High',
      ...(ownerId ? { OwnerId: ownerId } : {}),
      ...(event.dueAt
        ? { ActivityDate: event.dueAt.slice(0, 10), ReminderDateTime: event.dueAt, IsReminderSet: true }
        : {}),
    },
  ]);
  if (!result?.success) {
    const first = result?.errors[0];
    throw new PermanentError(
      `${first?.statusCode ?? 'UNKNOWN_ERROR'}: ${first?.message ?? 'task not created'}`,
      first?.statusCode ?? 'UNKNOWN_ERROR',
    );
  }
  return `task ${result.id ?? ''}`;
}
