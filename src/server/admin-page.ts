import { escapeHtml } from './report-page.ts';

/** The shell of the read-only admin pages: no scripts, inline styles only (the CSP allows nothing else). */
export function adminPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · LeadBridge</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2433}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.4rem 0 1rem}td,th{border:1px solid #d7dbe3;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f5f9}.num{text-align:right;font-variant-numeric:tabular-nums}.fix{color:#475066}
</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A table with a header row; cells are escaped; a cell given as `{ num }` is a right-aligned number. */
export function htmlTable(
  head: string[],
  rows: Array<Array<string | number | { testid: string; value: string | number }>>,
): string {
  const cell = (value: string | number | { testid: string; value: string | number }) =>
    typeof value === 'object'
      ? `<td class="num" data-testid="${escapeHtml(value.testid)}">${escapeHtml(String(value.value))}</td>`
      : typeof value === 'number'
        ? `<td class="num">${value}</td>`
        : `<td>${escapeHtml(value)}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Served with every admin page: nothing loads from anywhere. */
export const ADMIN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
