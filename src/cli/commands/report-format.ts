import type { FunnelReport, TenantReport } from '../../domain/report-schema.ts';
import { clip, formatDuration, percent } from '../../domain/report-units.ts';
import { identityLines } from './identity-format.ts';

export { formatDuration, percent };

const BAR_WIDTH = 30;

/** A bar of `value` against `max`, `width` characters at most; any non-zero value shows at least one. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (max <= 0 || value <= 0) return '';
  return '█'.repeat(Math.max(1, Math.round((value / max) * width)));
}

/** Rows of cells as aligned columns: text left-aligned, numbers right-aligned. */
export function columns(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = (cell: string) => /^[-\d.,%]+$/.test(cell) || /^\d/.test(cell);
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => {
          const width = widths[i] ?? 0;
          if (numeric(cell) && i > 0) return cell.padStart(width);
          return i === row.length - 1 ? cell : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
  );
}

function funnelLines(figures: TenantReport, handoffStage: string): string[] {
  const max = figures.funnel[0]?.reached ?? 0;
  const rows = figures.funnel.map((step) => [
    step.stage === handoffStage ? `${step.stage} (handoff)` : step.stage,
    String(step.reached),
    step.conversionFromPrevious === null ? '' : percent(step.conversionFromPrevious),
    bar(step.reached, max),
  ]);
  return ['Funnel (leads that reached each stage, conversion from the stage before)', ...columns(rows)];
}

function reasonLines(figures: TenantReport): string[] {
  const { rejections } = figures;
  const head = `Rejected ${rejections.total} (${rejections.beforeHandoff} before the handoff, ${rejections.awaitingFeedback} awaiting a reason), reasons:`;
  if (rejections.reasons.length === 0) return [head, '  none'];
  const shown = rejections.reasons.slice(0, 6);
  const max = shown[0]?.count ?? 0;
  const rows = shown.map((entry) => [clip(entry.reason, 40), String(entry.count), bar(entry.count, max, 20)]);
  const more = rejections.reasons.length - shown.length;
  return [head, ...columns(rows), ...(more > 0 ? [`  ... and ${more} more reasons (--json lists all)`] : [])];
}

/** The full figures of one tenant (or of all together). */
export function formatTenant(figures: TenantReport, report: FunnelReport): string[] {
  const { handoff, followUp, sla, salesReady } = figures;
  const { settings } = report;
  const target =
    salesReady.target === null
      ? 'no monthly target set (sla.salesReadyLeadsPerMonth)'
      : `target ${salesReady.target} (${percent(salesReady.ofTarget)}), ${salesReady.expectedByNow?.toFixed(1)} expected by now`;
  return [
    ...funnelLines(figures, settings.handoffStage),
    '',
    ...columns([
      [
        'Passed to sales',
        String(handoff.passedToSales),
        `accepted ${handoff.accepted}, rejected ${handoff.rejected}, disqualified ${handoff.disqualified}, waiting for feedback ${handoff.waitingForFeedback} (acceptance ${percent(handoff.acceptanceRate)})`,
      ],
      [
        'Follow-up time',
        formatDuration(followUp.averageMs),
        `average; median ${formatDuration(followUp.medianMs)}; p90 ${formatDuration(followUp.p90Ms)}; within ${settings.followUpWithin}: ${percent(followUp.withinSlaShare)} (${followUp.measured} measured, ${followUp.alreadyWorkedWhenSeen} already worked when first seen)`,
      ],
      [
        'SLA breaches',
        String(sla.leadsBreached),
        `leads: follow-up ${sla.followUpBreaches}, feedback ${sla.feedbackBreaches}; overdue now ${sla.overdueNow}`,
      ],
      ['Sales-ready', String(salesReady.delivered), `delivered in ${salesReady.month}, ${target}`],
      ['Recycled', String(figures.recycled), 'returned to nurture after a rejection or a lost deal'],
    ]).map((line) => line.slice(2)),
    '',
    ...reasonLines(figures),
    ...listLines('Overdue now', figures.overdueLeads),
    ...listLines('Waiting for feedback', figures.awaitingFeedbackLeads),
  ];
}

const AWAITING = { follow_up: 'follow-up', feedback: 'verdict', rejection_reason: 'rejection reason' };

/** The leads behind "overdue" and "waiting for feedback", oldest first (the first ten). */
function listLines(title: string, leads: TenantReport['overdueLeads']): string[] {
  if (leads.length === 0) return [];
  const rows = leads
    .slice(0, 10)
    .map((lead) => [lead.leadKey, AWAITING[lead.awaiting], `since ${lead.since}`]);
  const more = leads.length > 10 ? [`  ... and ${leads.length - 10} more (--json lists them)`] : [];
  return ['', `${title} (${leads.length})`, ...columns(rows), ...more];
}

/** One line per tenant, for installs with several: the figures both teams look at first. */
function tenantTable(report: FunnelReport): string[] {
  const header = [
    'tenant',
    'leads',
    'to sales',
    'accepted',
    'rejected',
    'waiting',
    'median f/u',
    'breached',
    'overdue',
  ];
  const row = (figures: TenantReport) => [
    figures.tenant,
    String(figures.leads),
    String(figures.handoff.passedToSales),
    String(figures.handoff.accepted),
    String(figures.handoff.rejected),
    String(figures.handoff.waitingForFeedback),
    formatDuration(figures.followUp.medianMs),
    String(figures.sla.leadsBreached),
    String(figures.sla.overdueNow),
  ];
  return ['Per tenant', ...columns([header, ...report.tenants.map(row), row(report.total)])];
}

/** The report for a terminal: one screen for one tenant; the total plus a per-tenant table for several. */
export function formatReport(report: FunnelReport): string {
  const { settings } = report;
  const cohort = report.cohort === 'event' ? 'events' : 'handed off';
  const period = report.period ? `${cohort} ${report.period.from} .. ${report.period.to}` : 'all leads';
  const single = report.tenants.length === 1 ? report.tenants[0] : undefined;
  const figures = single ?? report.total;
  const unreadable = figures.unreadable > 0 ? `, ${figures.unreadable} unreadable state(s) not counted` : '';
  const lines = [
    `LeadBridge closed-loop report, ${report.generatedAt} (${period})`,
    `${single ? `Tenant: ${single.tenant}` : `Tenants: all ${report.tenants.length}`}, ${figures.leads} leads${unreadable}`,
    `SLA: follow up within ${settings.followUpWithin}, feedback within ${settings.rejectionFeedbackWithin}`,
    '',
    ...formatTenant(figures, report),
  ];
  if (!single) lines.push('', ...tenantTable(report));
  for (const issues of report.identity ?? []) {
    lines.push(
      '',
      `Identity${single ? '' : ` (${issues.tenant})`}:`,
      ...identityLines(issues.duplicates, issues.parked),
    );
  }
  return lines.join('\n');
}
