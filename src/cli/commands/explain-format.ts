import type { AuditEntry } from '../../store/audit-entry.ts';
import { humanTime, ledgerLine } from './ledger-format.ts';
import type { LeadLink } from '../../store/lead-link.ts';
import type { TenantExplanation } from '../../server/explain-lookup.ts';

export { humanTime };

interface Row {
  when: string;
  what: string;
  where: string;
  detail: string;
}

function scoreText(score: NonNullable<Extract<AuditEntry, { type: 'decision' }>['score']>): string {
  const rules = score.fired.map((rule) => `${rule.id} ${rule.points >= 0 ? '+' : ''}${rule.points}`);
  return `score ${score.score}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}`;
}

/** One timeline row per audit entry. */
export function entryRow(entry: AuditEntry): Row {
  const when = humanTime(entry.at);
  switch (entry.type) {
    case 'change_seen': {
      return {
        when,
        what: 'change',
        where: entry.system,
        detail: `${entry.objectId} ${entry.kind ?? 'changed'} at ${humanTime(entry.occurredAt)} (seen by ${entry.source})`,
      };
    }
    case 'decision': {
      const parts = [
        `${entry.from ?? '(none)'} -> ${entry.to ?? '(none)'}`,
        `rule ${entry.rule}`,
        `by ${entry.by}`,
      ];
      if (entry.move) parts.push(`explicit move by ${entry.move.actor}: ${entry.move.reason}`);
      if (entry.score) parts.push(scoreText(entry.score));
      // Skip an explanation that only restates the move.
      if (entry.explanation && entry.explanation !== `${entry.from} -> ${entry.to}`) {
        parts.push(entry.explanation);
      }
      return { when, what: 'decision', where: 'leadbridge', detail: parts.join('; ') };
    }
    case 'patch_written': {
      const fields = entry.changes
        ? entry.changes.map(
            (change) =>
              `${change.field} ${change.old === undefined ? '' : `${JSON.stringify(change.old)} -> `}${JSON.stringify(change.new)} (${change.rule})`,
          )
        : entry.fields;
      return {
        when,
        what: entry.created ? 'created' : 'patch',
        where: entry.system,
        detail: `${entry.recordId ?? '(new record)'}: ${fields.join('; ') || '(no fields)'}`,
      };
    }
    case 'conflict':
      return {
        when,
        what: 'conflict',
        where: 'leadbridge',
        detail: `${entry.field}: base ${JSON.stringify(entry.base ?? null)}, hubspot ${JSON.stringify(entry.hubspot ?? null)}, salesforce ${JSON.stringify(entry.salesforce ?? null)}; ${entry.winner} wins by ${entry.ownership} (${entry.rule})`,
      };
    case 'score':
      return {
        when,
        what: 'score',
        where: 'leadbridge',
        detail:
          scoreText({ score: entry.to, fired: entry.fired }) +
          (entry.from === null ? '' : ` (was ${entry.from})`),
      };
    case 'record_error':
      return {
        when,
        what: 'error',
        where: entry.system,
        detail: `${entry.recordId ?? '(no record)'} ${entry.code} (${entry.retryable ? 'retryable' : 'permanent'}): ${entry.message}`,
      };
    case 'record_deleted':
      return {
        when,
        what: entry.error ? 'not deleted' : 'deleted',
        where: entry.system,
        detail: `${entry.recordId}: deleted in ${entry.after}, policy onDelete: ${entry.policy}${entry.error ? `; refused: ${entry.error}` : ''}`,
      };
    case 'record_linked':
      return {
        when,
        what: 'linked',
        where: entry.system,
        detail: `${entry.recordId}: an existing ${entry.objectType ?? 'record'} with the lead's email, linked instead of creating one${entry.duplicates?.length ? `; duplicates (never written to): ${entry.duplicates.join(', ')}` : ''}`,
      };
    case 'notification':
      return {
        when,
        what: entry.channel === 'owner' ? 'owner' : 'notify',
        where: entry.channel,
        detail: `${entry.event} ${entry.outcome}${entry.attempt ? ` (attempt ${entry.attempt})` : ''}${entry.detail ? `: ${entry.detail}` : ''}`,
      };
  }
}

function table(rows: Row[]): string[] {
  const header: Row = { when: 'WHEN', what: 'WHAT', where: 'SYSTEM', detail: 'DETAIL' };
  const all = [header, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((row) => row[key].length));
  const widths = { when: width('when'), what: width('what'), where: width('where') };
  return all.map(
    (row) =>
      `  ${row.when.padEnd(widths.when)}  ${row.what.padEnd(widths.what)}  ${row.where.padEnd(widths.where)}  ${row.detail}`,
  );
}

function linkLines(link: LeadLink): string[] {
  const lines = [
    `  HubSpot contact:     ${link.hubspot ?? '-'}`,
    `  Salesforce Lead:     ${link.salesforceLead ?? '-'}`,
    `  Salesforce Contact:  ${link.salesforceContact ?? '-'}`,
    `  linked since ${humanTime(link.createdAt)}, last link change ${humanTime(link.updatedAt)}`,
  ];
  for (const change of link.history) {
    const target = change.into ?? change.intoLead;
    lines.push(
      `  ${humanTime(change.at)}  ${change.side} ${change.id} ${change.change}${target ? ` into ${target}` : ''}${change.propagated ? ' by LeadBridge (onDelete: propagate)' : ''}`,
    );
  }
  return lines;
}

/** A lead's history as a terminal timeline: the link, then every entry oldest first in aligned columns. */
export function formatExplanation(explanation: TenantExplanation): string {
  const { link, entries, unreadable } = explanation;
  const lines = [`${link.email ?? '(no email)'}  lead ${link.leadKey}  tenant ${explanation.tenant}`];
  lines.push(...linkLines(link));
  const ledger = explanation.ledger ?? [];
  if (ledger.length > 0) {
    lines.push('', '  lifecycle ledger (oldest first):');
    for (const entry of ledger) lines.push(`    ${humanTime(entry.at)}  ${ledgerLine(entry)}`);
  }
  lines.push('', '  sync trail:');
  if (entries.length === 0) lines.push('  no history recorded yet');
  else lines.push(...table(entries.map(entryRow)));
  if (unreadable.length > 0) {
    lines.push(
      `  ${unreadable.length} unreadable entr${unreadable.length === 1 ? 'y' : 'ies'} skipped: ${unreadable
        .map((item) => `#${item.position} (${item.reason})`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}
