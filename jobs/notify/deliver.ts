import { UnrecoverableError, type Job } from 'bullmq';
import type { ChannelName } from '../../src/config/notifications-schema.ts';
import { durationMs } from '../../src/domain/duration.ts';
import type { NotificationEvent } from '../../src/domain/notification-event.ts';
import { PermanentError } from '../../src/errors/permanent-error.ts';
import { createTask } from './channels/salesforce-task.ts';
import { sendSlack } from './channels/slack.ts';
import { sendWebhook } from './channels/webhook.ts';
import { tenantOf, type NotifyDeps } from './notify-deps.ts';
import { recordOutcome } from './record.ts';

/**
 * Sends one event on one channel, once: a marker per event and channel is checked before and set after
 * the send. A permanent refusal (4xx, a Salesforce validation error) is recorded and not retried; anything
 * else is retried with exponential backoff up to the configured attempts, the last failure recorded.
 */
export async function deliver(
  deps: NotifyDeps,
  job: Job,
  event: NotificationEvent,
  channel: ChannelName,
): Promise<string> {
  const { engine, outbox } = deps;
  const { tenant, leadKey, id: key } = event;
  if (await outbox.isSent(tenant, key, channel)) {
    engine.metrics.notifications.inc({ tenant, event: event.type, channel, outcome: 'duplicate' });
    return 'duplicate';
  }
  const found = tenantOf(deps, tenant);
  const config = found?.config.notifications;
  if (!found || !config) throw new UnrecoverableError(`tenant ${tenant} has no notifications configured`);
  const timeoutMs = durationMs(config.timeout);
  const fetchImpl = deps.fetch ?? fetch;
  const attempt = job.attemptsMade + 1;
  try {
    let detail: string;
    if (channel === 'webhook') {
      if (!config.webhook) throw new PermanentError('no webhook configured', 'CHANNEL_NOT_CONFIGURED');
      detail = await sendWebhook(event, config.webhook, { fetch: fetchImpl, timeoutMs, now: engine.now() });
    } else if (channel === 'slack') {
      if (!config.slack) throw new PermanentError('no Slack webhook configured', 'CHANNEL_NOT_CONFIGURED');
      detail = await sendSlack(event, config.slack.webhookUrl, { fetch: fetchImpl, timeoutMs });
    } else {
      await found.connectors.salesforce.client.beforeWork();
      detail = await createTask(
        found.connectors.salesforce.client,
        event,
        config.salesforceTask?.subjectPrefix ?? 'LeadBridge',
      );
    }
    await outbox.markSent(tenant, key, channel, detail);
    engine.metrics.notificationDelay.observe(
      { tenant, channel },
      Math.max(0, engine.now().getTime() - Date.parse(event.occurredAt)) / 1000,
    );
    await recordOutcome(engine, tenant, leadKey, {
      event: event.type,
      channel,
      outcome: 'sent',
      key,
      attempt,
      detail,
    });
    return detail;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentError;
    const last = permanent || attempt >= (job.opts.attempts ?? 1);
    await recordOutcome(engine, tenant, leadKey, {
      event: event.type,
      channel,
      outcome: last ? 'failed' : 'retrying',
      key,
      attempt,
      detail: last && !permanent ? `${message}; gave up after ${attempt} attempts` : message,
    });
    if (permanent) throw new UnrecoverableError(message);
    throw error;
  }
}
