import type { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { httpPost, type FetchLike } from './http-post.ts';
import { summary, title } from './message-text.ts';

/** Slack mrkdwn escapes: `&`, `<`, `>` only. https://api.slack.com/reference/surfaces/formatting#escaping */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The incoming-webhook message: a title, the summary with the reason, and links to both records. */
export function slackMessage(event: NotificationEvent): { text: string; blocks: unknown[] } {
  const links = [
    event.links.salesforce ? `<${event.links.salesforce}|Salesforce>` : null,
    event.links.hubspot ? `<${event.links.hubspot}|HubSpot>` : null,
  ].filter((link): link is string => link !== null);
  const cc = event.manager ? ` (cc ${event.manager})` : '';
  const text = `*${escape(title(event))}*: ${escape(summary(event) + cc)}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      ...(links.length > 0
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] }]
        : []),
    ],
  };
}

/**
 * Posts to a Slack incoming webhook, which answers 200 `ok`, or 4xx for a bad payload or a revoked URL.
 * https://api.slack.com/messaging/webhooks
 */
export async function sendSlack(
  event: NotificationEvent,
  webhookUrl: string,
  options: { fetch: FetchLike; timeoutMs: number },
): Promise<string> {
  const { status } = await httpPost(
    options.fetch,
    webhookUrl,
    JSON.stringify(slackMessage(event)),
    {},
    options.timeoutMs,
  );
  return `answered ${status}`;
}
