import { Webhook } from 'standardwebhooks';
import type { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { webhookMessageId } from '../message-id.ts';
import { httpPost, type FetchLike } from './http-post.ts';

export interface WebhookTarget {
  url: string;
  /** `whsec_…` signing secret. */
  secret: string;
}

/**
 * The outgoing webhook: the event as JSON, signed the Standard Webhooks way (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), so a
 * receiver verifies it with any Standard Webhooks library and deduplicates on `webhook-id`.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export async function sendWebhook(
  event: NotificationEvent,
  target: WebhookTarget,
  options: { fetch: FetchLike; timeoutMs: number; now: Date },
): Promise<string> {
  const body = JSON.stringify(event);
  const id = webhookMessageId(event.id);
  const signature = new Webhook(target.secret).sign(id, options.now, body);
  const { status } = await httpPost(
    options.fetch,
    target.url,
    body,
    {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(options.now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    options.timeoutMs,
  );
  return `${id} answered ${status}`;
}
