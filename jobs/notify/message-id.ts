import { createHash } from 'node:crypto';

/**
 * The Standard Webhooks `webhook-id` of a notification: `msg_` and a digest of its idempotency key, the
 * same on every retry and replay, so a receiver that keeps the ids it has seen acts on each one once.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export function webhookMessageId(key: string): string {
  return `msg_${createHash('sha256').update(key).digest('base64url').slice(0, 27)}`;
}
