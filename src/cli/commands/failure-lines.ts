import type { RecordFailure } from '../../../jobs/engine.ts';

/**
 * Every record that did not sync, grouped by cause: one heading per system and code with the count, then
 * one line per record. Nothing is cut off: the operator needs the whole list to fix them
 * (`leadbridge status` keeps listing them until they sync; `leadbridge retry` re-queues them).
 */
export function formatFailures(failures: readonly RecordFailure[]): string[] {
  const groups = new Map<string, RecordFailure[]>();
  for (const failure of failures) {
    const key = `${failure.tenant} ${failure.system} ${failure.code}`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  const lines: string[] = [];
  for (const [key, group] of groups) {
    lines.push(`  ${key}: ${group.length}`);
    for (const failure of group) {
      const record =
        failure.recordId ?? (failure.leadKey ? `(not created; lead ${failure.leadKey})` : '(whole page)');
      lines.push(`    ${record} ${failure.code}: ${failure.message}`);
    }
  }
  return lines;
}
