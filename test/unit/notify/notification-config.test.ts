import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../../jobs/notify/channels/slack.ts';
import { draftsFor, realReason } from '../../../jobs/notify/emit-from-reconcile.ts';
import { webhookMessageId } from '../../../jobs/notify/message-id.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { channelsFor, NotificationsConfig } from '../../../src/config/notifications-schema.ts';
import { OwnersConfig } from '../../../src/config/owners-schema.ts';
import type { NotificationEvent } from '../../../src/domain/notification-event.ts';
import { notificationKey } from '../../../src/domain/notification-event.ts';

const event: NotificationEvent = {
  schemaVersion: 1,
  id: 'acme:lk_1:lead_rejected:2026-03-02T09:00:00.000Z',
  type: 'lead_rejected',
  tenant: 'acme',
  leadKey: 'lk_1',
  occurredAt: '2026-03-02T09:00:00.000Z',
  episode: '2026-03-02T09:00:00.000Z',
  audience: ['marketing'],
  lead: { email: 'a@b.co', name: 'Ada <script>', company: 'A&B', score: 60, stage: 'rejected' },
  owner: { id: '005000000000001AAA', name: 'Ana', email: 'ana@example.com' },
  reason: 'No budget > 0',
  dueAt: null,
  records: { hubspot: '1', salesforce: '00Q000000000001AAA' },
  links: { hubspot: 'https://app.hubspot.com/contacts/1/record/0-1/1', salesforce: null },
};

describe('owners and notifications config', () => {
  it('defaults to Salesforce assignment rules and refuses an incomplete strategy', () => {
    expect(OwnersConfig.parse({}).strategy).toBe('salesforce_assignment_rules');
    expect(() => OwnersConfig.parse({ strategy: 'round_robin' })).toThrow(/at least one pool member/);
    expect(() => OwnersConfig.parse({ strategy: 'fixed' })).toThrow(/fixedOwner/);
    expect(() => OwnersConfig.parse({ strategy: 'round_robin', pool: [{ id: '001000000000001' }] })).toThrow(
      /User \(005…\) or queue \(00G…\)/,
    );
    const pool = [{ id: '005000000000001' }, { id: '005000000000001' }];
    expect(() => OwnersConfig.parse({ strategy: 'round_robin', pool })).toThrow(/twice/);
  });

  it('routes each event to its configured channels only, and a route can silence one', () => {
    const config = NotificationsConfig.parse({
      webhook: { url: 'https://example.com/hook', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      routes: { sla_reminder: [] },
    });
    expect(channelsFor(config, 'lead_handed_off')).toEqual(['webhook']);
    expect(channelsFor(config, 'sla_reminder')).toEqual([]);
    expect(() => NotificationsConfig.parse({ webhook: { url: 'https://x.io', secret: 'plain' } })).toThrow(
      /whsec_/,
    );
  });

  it('a tenant without notifications parses, with owners defaulted', () => {
    const config = parseConfig(
      `tenants:
  - id: acme
    hubspot: { accessToken: t }
    salesforce: { instanceUrl: https://x.my.salesforce.com, accessToken: t, orgId: 00D5g000004LBdgEAG }
`,
      {},
    );
    expect(config.tenants[0]?.notifications).toBeUndefined();
    expect(config.tenants[0]?.owners.strategy).toBe('salesforce_assignment_rules');
  });
});

describe('notification keys and messages', () => {
  it('the same transition always has the same key and webhook id; another episode another', () => {
    const parts = { tenant: 'acme', leadKey: 'lk_1', type: 'sla_breached' as const, episode: 'e1' };
    expect(notificationKey(parts)).toBe(notificationKey({ ...parts }));
    expect(webhookMessageId(notificationKey(parts))).toBe(webhookMessageId('acme:lk_1:sla_breached:e1'));
    expect(webhookMessageId(notificationKey({ ...parts, episode: 'e2' }))).not.toBe(
      webhookMessageId(notificationKey(parts)),
    );
    expect(webhookMessageId('x')).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });

  it('Slack text escapes the lead’s own text and carries the reason and the links', () => {
    const message = slackMessage(event);
    expect(message.text).toBe(
      '*Lead rejected by sales*: Ana rejected Ada &lt;script&gt; (A&amp;B): No budget &gt; 0.',
    );
    expect(JSON.stringify(message.blocks)).toContain(
      '<https://app.hubspot.com/contacts/1/record/0-1/1|HubSpot>',
    );
  });

  it('a placeholder rejection reason counts as no reason', () => {
    expect(realReason('no reason given in salesforce')).toBeNull();
    expect(realReason('  ')).toBeNull();
    expect(realReason('No budget')).toBe('No budget');
  });

  it('drafts nothing for a lead whose pass appended nothing to its ledger', () => {
    const config = parseConfig(
      `tenants:
  - id: acme
    hubspot: { accessToken: t }
    salesforce: { instanceUrl: https://x.my.salesforce.com, accessToken: t, orgId: 00D5g000004LBdgEAG }
`,
      {},
    );
    const plan = {
      result: { ledger: [], events: [], timeline: {}, computed: {} },
      sides: { link: { leadKey: 'lk_1', hubspot: '1', salesforceLead: null, salesforceContact: null } },
    } as unknown as Parameters<typeof draftsFor>[2];
    expect(draftsFor(config, 'acme', plan, new Date())).toEqual([]);
  });
});
