import type { StatusReport } from '../../jobs/status/status-report.ts';
import { adminPage, htmlTable } from './admin-page.ts';
import { escapeHtml } from './report-page.ts';

/** GET /status: the same figures as `leadbridge status --json`, each number tagged for the browser tests. */
export function statusPage(report: StatusReport): string {
  const t = (id: string, value: string | number) => ({ testid: id, value });
  const tenants = report.tenants.map((tenant) => {
    const id = tenant.tenant;
    const budget = tenant.budget.salesforce;
    const failures = tenant.failing.groups.map(
      (group) =>
        `<h3>${escapeHtml(`${group.system} ${group.code}`)}: <span data-testid="${escapeHtml(`${id}-failing-${group.system}-${group.code}`)}">${group.count}</span> record(s)</h3><p class="fix">fix: ${escapeHtml(group.fix)}</p>${htmlTable(
          ['record', 'lead (HubSpot / Salesforce)', 'email', 'message', 'at'],
          group.records.map((record) => [
            record.recordId ?? '(not created)',
            `${record.hubspotId ?? '-'} / ${record.salesforceId ?? '-'}`,
            record.email ?? '',
            record.message,
            record.at,
          ]),
        )}`,
    );
    return `<h2>tenant ${escapeHtml(id)}</h2>${htmlTable(
      ['', 'value'],
      [
        ['last successful poll: HubSpot', tenant.polls.hubspot.lastSuccessAt ?? 'never'],
        ['last successful poll: Salesforce', tenant.polls.salesforce.lastSuccessAt ?? 'never'],
        ['backlog (records waiting)', t(`${id}-backlog`, tenant.backlog)],
        ['failing records', t(`${id}-failing`, tenant.failing.records)],
        ['overdue leads', t(`${id}-overdue`, tenant.overdue.leads)],
        ['Salesforce API calls used (24 h)', budget ? t(`${id}-budget-used`, budget.used) : 'not read yet'],
        [
          'Salesforce API calls LeadBridge may still use',
          budget ? t(`${id}-budget-left`, budget.left) : 'not read yet',
        ],
        ['forecast', budget ? (budget.forecast === 'within' ? 'within its share' : 'over its share') : '-'],
      ],
    )}${failures.join('')}${
      tenant.overdue.byOwner.length
        ? `<h3>overdue leads by owner</h3>${htmlTable(
            ['owner', 'leads', 'longest past due (min)'],
            tenant.overdue.byOwner.map((owner) => [
              owner.owner,
              t(`${id}-overdue-${owner.owner}`, owner.count),
              Math.max(...owner.leads.map((lead) => lead.overdueMinutes)),
            ]),
          )}`
        : ''
    }`;
  });
  return adminPage(
    'Sync status',
    `<p>generated ${escapeHtml(report.generatedAt)} · total: <span data-testid="total-backlog">${report.total.backlog}</span> waiting, <span data-testid="total-failing">${report.total.failingRecords}</span> failing, <span data-testid="total-overdue">${report.total.overdueLeads}</span> overdue</p>${tenants.join('')}`,
  );
}
