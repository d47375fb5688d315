import type { TenantIdentityIssues } from '../domain/identity-issues.ts';
import { escapeHtml } from './report-page.ts';

/** Rows listed per kind on the page (the JSON has them all). */
const ROWS_SHOWN = 100;

function rows(cells: string[][]): string {
  return cells
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
}

/** The report page's identity section: duplicates and parked writes per tenant, ids and reasons only. */
export function identitySection(issues: TenantIdentityIssues[]): string {
  if (issues.length === 0) return '';
  const parts = issues.map((tenant) => {
    const duplicates = tenant.duplicates.records
      .slice(0, ROWS_SHOWN)
      .map((record) => [record.system, record.id, record.linkedTo ?? '', record.leadKey, record.reason]);
    const parked = tenant.parked.records
      .slice(0, ROWS_SHOWN)
      .map((record) => [
        record.system,
        record.recordId ?? '(not created)',
        record.leadKey,
        record.code,
        record.message,
      ]);
    return `<h3>${escapeHtml(tenant.tenant)}</h3>
<p class="meta">${tenant.duplicates.count} duplicate record(s), never written to; ${tenant.parked.count} parked write(s), not sent again until the record or the config changes.</p>
${duplicates.length > 0 ? `<table class="leads"><thead><tr><th>System</th><th>Duplicate</th><th>Linked record</th><th>Lead</th><th>Reason</th></tr></thead><tbody>${rows(duplicates)}</tbody></table>` : ''}
${parked.length > 0 ? `<table class="leads"><thead><tr><th>System</th><th>Record</th><th>Lead</th><th>Code</th><th>Message</th></tr></thead><tbody>${rows(parked)}</tbody></table>` : ''}`;
  });
  return `<section><h2>Duplicates and parked writes</h2>${parts.join('\n')}</section>`;
}
