import type { LeadBridgeConfig } from '../config/schema.ts';
import { adminPage, htmlTable } from './admin-page.ts';

/** The effective configuration an admin may see: rules and mappings, never credentials. */
export function effectiveSettings(config: LeadBridgeConfig) {
  return {
    tenants: config.tenants.map((tenant) => ({
      id: tenant.id,
      hubspot: { baseUrl: tenant.hubspot.baseUrl, portalId: tenant.hubspot.portalId ?? null },
      salesforce: {
        loginUrl: tenant.salesforce.loginUrl,
        orgId: tenant.salesforce.orgId,
        apiBudgetShare: tenant.salesforce.apiBudgetShare,
      },
    })),
    lifecycle: config.lifecycle,
    fields: config.fields,
    scoring: config.scoring,
    handoff: config.handoff,
    sla: config.sla,
    customFields: config.customFields,
    sync: config.sync,
  };
}

/** GET /settings: mappings, ownership rules, scoring rules and the SLA, read-only. */
export function settingsPage(config: LeadBridgeConfig): string {
  const settings = effectiveSettings(config);
  const ownership = (field: LeadBridgeConfig['fields'][number]) =>
    [field.ownership, ...field.ownershipFromStage.map((rule) => `${rule.ownership} from ${rule.stage}`)].join(
      ', ',
    );
  return adminPage(
    'Settings (read-only)',
    [
      `<p>From the config file; change it there and restart. Credentials are never shown.</p>`,
      '<h2>Tenants</h2>',
      htmlTable(
        ['tenant', 'HubSpot', 'Salesforce org', 'API budget share'],
        settings.tenants.map((t) => [
          t.id,
          t.hubspot.baseUrl,
          t.salesforce.orgId,
          t.salesforce.apiBudgetShare,
        ]),
      ),
      '<h2>Field mappings and ownership</h2>',
      htmlTable(
        ['canonical', 'HubSpot', 'Salesforce', 'type', 'ownership'],
        config.fields.map((field) => [
          field.canonical,
          field.hubspot ?? '-',
          field.salesforce ?? '-',
          field.type,
          ownership(field),
        ]),
      ),
      '<h2>Scoring</h2>',
      `<p>MQL threshold: <span data-testid="mql-threshold">${config.scoring.mqlThreshold}</span></p>`,
      htmlTable(
        ['rule', 'category', 'field', 'test', 'points'],
        config.scoring.rules.map((rule) => {
          const { id, category, field, op, points, ...rest } = rule;
          return [id, category, field, `${op} ${JSON.stringify(rest)}`, points];
        }),
      ),
      '<h2>Handoff and SLA</h2>',
      htmlTable(
        ['setting', 'value'],
        [
          ['required before handoff', config.handoff.requiredFields.join(', ')],
          ['lifecycle stages', config.lifecycle.stages.join(' < ')],
          ['handoff stage', config.lifecycle.handoffStage],
          ['follow up within', String(config.sla.followUpWithin)],
          ['rejection feedback within', String(config.sla.rejectionFeedbackWithin)],
          ['recycle after', String(config.sla.recycleAfter)],
          ['sales-ready leads per month', String(config.sla.salesReadyLeadsPerMonth ?? '-')],
        ],
      ),
    ].join(''),
  );
}
