import { z } from 'zod';
import { Duration } from '../domain/duration.ts';
import { EscalationConfig } from '../domain/escalation-schema.ts';
import { NotificationType } from '../domain/notification-event.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const ChannelName = z.enum(['salesforce_task', 'webhook', 'slack']);
export type ChannelName = z.infer<typeof ChannelName>;

export const WebhookChannelConfig = z.strictObject({
  url: httpUrl.describe('Where the signed JSON is POSTed.'),
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'a Standard Webhooks secret is "whsec_" and base64 of 24+ bytes')
    .describe('Signing secret (whsec_…, base64); the receiver verifies with the same one.'),
});

export const SlackChannelConfig = z.strictObject({
  webhookUrl: httpUrl.describe('Slack incoming-webhook URL (https://hooks.slack.com/services/…).'),
});

export const SalesforceTaskChannelConfig = z.strictObject({
  subjectPrefix: z.string().max(40).default('LeadBridge').describe('Start of the Task subject.'),
});

/** Per event, the channels it goes to by default (only those configured are used). */
export const DEFAULT_ROUTES: Record<NotificationType, ChannelName[]> = {
  lead_handed_off: ['salesforce_task', 'webhook', 'slack'],
  sla_reminder: ['webhook', 'slack'],
  sla_breached: ['webhook', 'slack'],
  lead_rejected: ['webhook', 'slack'],
  rejection_reason_missing: ['salesforce_task', 'webhook', 'slack'],
  lead_reassigned: ['salesforce_task', 'webhook', 'slack'],
};

export const NotificationsConfig = z.strictObject({
  webhook: WebhookChannelConfig.optional(),
  slack: SlackChannelConfig.optional(),
  salesforceTask: SalesforceTaskChannelConfig.optional(),
  routes: z
    .partialRecord(NotificationType, z.array(ChannelName))
    .default({})
    .describe('Channels per event, overriding the defaults; [] silences an event.'),
  escalation: EscalationConfig.prefault({}),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(25)
    .default(8)
    .describe('Delivery attempts per notification and channel before it is given up (and recorded).'),
  backoff: Duration.default('5s').describe('First retry delay; doubles on every attempt (with jitter).'),
  timeout: Duration.default('5s').describe(
    'Longest wait for one delivery; a slower endpoint counts as failed.',
  ),
  publicLinks: z
    .strictObject({
      hubspotPortalUrl: httpUrl.optional().describe('e.g. https://app.hubspot.com/contacts/<portalId>'),
      salesforceUrl: httpUrl.optional().describe('Lightning base, e.g. https://acme.lightning.force.com'),
    })
    .prefault({})
    .describe('Bases of the record links in messages; unset: the API base URLs.'),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;

/** The configured channels an event goes to. */
export function channelsFor(config: NotificationsConfig, type: NotificationType): ChannelName[] {
  const wanted = config.routes[type] ?? DEFAULT_ROUTES[type];
  const configured: Record<ChannelName, boolean> = {
    webhook: config.webhook !== undefined,
    slack: config.slack !== undefined,
    salesforce_task: config.salesforceTask !== undefined,
  };
  return wanted.filter((channel) => configured[channel]);
}
