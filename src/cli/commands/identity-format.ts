import type { TenantIdentityIssues } from '../../domain/identity-issues.ts';

/** Records listed per kind in the text views; `--json` has them all. */
const RECORDS_SHOWN = 10;

/** Duplicates and parked writes, as `status` and `report` print them (ids and reasons only). */
export function identityLines(
  duplicates: TenantIdentityIssues['duplicates'],
  parked: TenantIdentityIssues['parked'],
  shown = RECORDS_SHOWN,
): string[] {
  const lines = [`  duplicates            ${duplicates.count} record(s) never written to`];
  for (const record of duplicates.records.slice(0, shown))
    lines.push(`    ${record.system} ${record.id} (lead ${record.leadKey}): ${record.reason}`);
  if (duplicates.count > shown) lines.push(`    ... and ${duplicates.count - shown} more (--json lists all)`);
  lines.push(
    `  parked writes         ${parked.count} (not sent again until the record or the config changes)`,
  );
  for (const record of parked.records.slice(0, shown))
    lines.push(
      `    ${record.system} ${record.recordId ?? `(not created; lead ${record.leadKey})`} ${record.code}: ${record.message}`,
    );
  if (parked.count > shown) lines.push(`    ... and ${parked.count - shown} more (--json lists all)`);
  return lines;
}
