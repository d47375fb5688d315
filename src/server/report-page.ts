import type { FunnelReport, TenantReport } from '../domain/report-schema.ts';
import { clip, formatDuration, percent } from '../domain/report-units.ts';
import { identitySection } from './identity-section.ts';

/** Escapes text for HTML and SVG: rejection reasons are typed by people and must never become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

interface BarRow {
  label: string;
  value: number;
  /** Shown after the value, e.g. a conversion rate. */
  note?: string;
}

const LABEL_WIDTH = 210;
const BAR_AREA = 300;
const ROW_HEIGHT = 28;

/** A horizontal bar chart as inline SVG (the page must work with no network, so no chart library). */
export function barChart(rows: BarRow[], title: string, colour: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(title)}: none</p>`;
  const max = Math.max(1, ...rows.map((row) => row.value));
  const height = rows.length * ROW_HEIGHT + 8;
  const width = LABEL_WIDTH + BAR_AREA + 120;
  const bars = rows.map((row, i) => {
    const y = 4 + i * ROW_HEIGHT;
    const length = row.value > 0 ? Math.max(2, Math.round((row.value / max) * BAR_AREA)) : 0;
    const text = `${row.value}${row.note ? ` · ${row.note}` : ''}`;
    return [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(row.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${length}" height="${ROW_HEIGHT - 8}" rx="3" fill="${colour}"/>`,
      `<text x="${LABEL_WIDTH + length + 6}" y="${y + 17}" class="value">${escapeHtml(text)}</text>`,
    ].join('');
  });
  return `<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title>${escapeHtml(title)}</title>${bars.join('')}</svg>`;
}

function table(rows: Array<[string, string]>): string {
  const body = rows
    .map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<table class="figures">${body}</table>`;
}

function slaTable(figures: TenantReport, report: FunnelReport): string {
  const { handoff, followUp, sla, salesReady } = figures;
  const { settings } = report;
  return table([
    ['Passed to sales', String(handoff.passedToSales)],
    ['Accepted (worked)', String(handoff.accepted)],
    ['Rejected', String(handoff.rejected)],
    ['Disqualified', String(handoff.disqualified)],
    ['Waiting for feedback', String(handoff.waitingForFeedback)],
    ['Acceptance rate', percent(handoff.acceptanceRate)],
    ['Average follow-up time', formatDuration(followUp.averageMs)],
    ['Median follow-up time', formatDuration(followUp.medianMs)],
    ['90th percentile follow-up time', formatDuration(followUp.p90Ms)],
    [
      `Followed up within ${settings.followUpWithin}`,
      `${percent(followUp.withinSlaShare)} (${followUp.withinSla})`,
    ],
    [
      'Follow-ups measured',
      `${followUp.measured} (${followUp.alreadyWorkedWhenSeen} already worked when first seen)`,
    ],
    [`Follow-up SLA breaches (${settings.followUpWithin})`, String(sla.followUpBreaches)],
    [`Feedback SLA breaches (${settings.rejectionFeedbackWithin})`, String(sla.feedbackBreaches)],
    ['Leads with a breach', String(sla.leadsBreached)],
    ['Overdue now', String(sla.overdueNow)],
    ['Recycled (back to nurture)', String(figures.recycled)],
    ['Rejections awaiting a reason', String(figures.rejections.awaitingFeedback)],
    [
      `Sales-ready leads delivered in ${salesReady.month}`,
      salesReady.target === null
        ? `${salesReady.delivered} (no monthly target set)`
        : `${salesReady.delivered} of ${salesReady.target} (${salesReady.expectedByNow?.toFixed(1)} expected by now)`,
    ],
  ]);
}

function section(figures: TenantReport, report: FunnelReport, heading: string): string {
  const funnel = barChart(
    figures.funnel.map((step) => ({
      label: step.stage === report.settings.handoffStage ? `${step.stage} (handoff)` : step.stage,
      value: step.reached,
      ...(step.conversionFromPrevious === null
        ? {}
        : { note: `${percent(step.conversionFromPrevious)} of previous` }),
    })),
    'Funnel: leads that reached each stage',
    '#2f6fb3',
  );
  const reasons = barChart(
    figures.rejections.reasons.slice(0, 12).map((entry) => ({
      label: clip(entry.reason, 28),
      value: entry.count,
    })),
    'Rejection reasons',
    '#c0504d',
  );
  const breaches = barChart(
    figures.breachesOverTime.slice(-31).map((day) => ({
      label: day.day,
      value: day.followUp + day.feedback,
      note: `follow-up ${day.followUp}, feedback ${day.feedback}`,
    })),
    'SLA breaches per day (by due time)',
    '#d08a2c',
  );
  const distribution = barChart(
    figures.followUpDistribution.map((bucket) => ({ label: bucket.label, value: bucket.count })),
    'Follow-up time distribution',
    '#4a9a5b',
  );
  const unreadable = figures.unreadable > 0 ? `, ${figures.unreadable} unreadable state(s) not counted` : '';
  return `<section>
<h2>${escapeHtml(heading)}</h2>
<p class="meta">${figures.leads} leads${escapeHtml(unreadable)}</p>
<div class="grid">
<div><h3>Funnel</h3>${funnel}
<h3>Rejections: ${figures.rejections.total} (${figures.rejections.beforeHandoff} before the handoff)</h3>${reasons}</div>
<div><h3>Handoff and SLA</h3>${slaTable(figures, report)}</div>
</div>
<div class="grid">
<div><h3>SLA breaches over time</h3>${breaches}</div>
<div><h3>Follow-up time</h3>${distribution}</div>
</div>
<div class="grid">
<div><h3>Overdue now (${figures.overdueLeads.length})</h3>${leadList(figures.overdueLeads)}</div>
<div><h3>Waiting for feedback (${figures.awaitingFeedbackLeads.length})</h3>${leadList(figures.awaitingFeedbackLeads)}</div>
</div>
</section>`;
}

const AWAITING = { follow_up: 'follow-up', feedback: 'verdict', rejection_reason: 'rejection reason' };

/** The leads behind a figure, each linking to its explain history. */
function leadList(leads: TenantReport['overdueLeads']): string {
  if (leads.length === 0) return '<p class="empty">none</p>';
  const rows = leads
    .map(
      (lead) =>
        `<tr><td><a href="/api/leads/${encodeURIComponent(lead.leadKey)}/explain">${escapeHtml(lead.leadKey)}</a></td><td>${escapeHtml(AWAITING[lead.awaiting])}</td><td>${escapeHtml(lead.since)}</td></tr>`,
    )
    .join('');
  return `<table class="leads"><thead><tr><th>Lead</th><th>Awaiting</th><th>Since</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function tenantRows(report: FunnelReport): string {
  const row = (figures: TenantReport) =>
    `<tr><td>${escapeHtml(figures.tenant)}</td>${[
      figures.leads,
      figures.handoff.passedToSales,
      figures.handoff.accepted,
      figures.handoff.rejected,
      figures.handoff.waitingForFeedback,
      formatDuration(figures.followUp.medianMs),
      figures.sla.leadsBreached,
      figures.sla.overdueNow,
      figures.salesReady.delivered,
    ]
      .map((cell) => `<td class="num">${escapeHtml(String(cell))}</td>`)
      .join('')}</tr>`;
  return `<table class="tenants"><thead><tr><th>Tenant</th><th>Leads</th><th>To sales</th><th>Accepted</th><th>Rejected</th><th>Waiting</th><th>Median follow-up</th><th>Breached</th><th>Overdue</th><th>Sales-ready this month</th></tr></thead><tbody>${report.tenants.map(row).join('')}${row(report.total)}</tbody></table>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px;color:#46525e}.meta{color:#5d6975;margin:2px 0}
.grid{display:flex;flex-wrap:wrap;gap:32px}svg text{font:13px system-ui,sans-serif;fill:#1d2733}
svg text.value{fill:#46525e}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #e3e8ed;text-align:left}
td.num,table.figures td{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#5d6975}`;

/** The closed-loop report as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets. */
export function reportPage(report: FunnelReport): string {
  const { settings } = report;
  const what = report.cohort === 'event' ? 'events' : 'leads handed off';
  const period = report.period ? `${what} ${report.period.from} to ${report.period.to}` : 'all leads';
  const single = report.tenants.length === 1 ? report.tenants[0] : undefined;
  const body = single
    ? section(single, report, `Tenant ${single.tenant}`)
    : `${section(report.total, report, `All ${report.tenants.length} tenants`)}<section><h2>Per tenant</h2>${tenantRows(report)}</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>LeadBridge closed-loop report</title><style>${STYLE}</style></head>
<body><h1>LeadBridge closed-loop report</h1>
<p class="meta">${escapeHtml(report.generatedAt)}, ${escapeHtml(period)}. SLA: follow up within ${escapeHtml(settings.followUpWithin)}, feedback within ${escapeHtml(settings.rejectionFeedbackWithin)}.</p>
${body}
${identitySection(report.identity ?? [])}
</body></html>`;
}
