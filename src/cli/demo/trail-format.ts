import type { AuditEntry } from '../../store/audit-entry.ts';
import type { Explanation } from '../../store/audit-trail.ts';

/** Fields listed by name in a patch line; more are counted. */
const FIELDS_SHOWN = 4;

function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(11, 19);
}

function describe(entry: AuditEntry): string {
  switch (entry.type) {
    case 'change_seen':
      return `change seen    ${entry.system} ${entry.objectId} by ${entry.source}${entry.kind ? ` (${entry.kind})` : ''}`;
    case 'decision': {
      const score = entry.score
        ? ` [score ${entry.score.score}: ${entry.score.fired.map((rule) => `${rule.id} ${rule.points > 0 ? '+' : ''}${rule.points}`).join(', ')}]`
        : '';
      const move =
        entry.from === entry.to
          ? `stays ${entry.to ?? 'none'}`
          : `${entry.from ?? 'none'} -> ${entry.to ?? 'none'}`;
      return `decision       ${move} by ${entry.by}, rule ${entry.rule}${entry.explanation ? `: ${entry.explanation}` : ''}${score}`;
    }
    case 'patch_written': {
      const names = entry.fields.slice(0, FIELDS_SHOWN).join(', ');
      const more = entry.fields.length > FIELDS_SHOWN ? ` +${entry.fields.length - FIELDS_SHOWN} more` : '';
      return `${entry.created ? 'created' : 'patched'}        ${entry.system} ${entry.recordId ?? ''}: ${names}${more}`;
    }
    case 'record_error':
      return `error          ${entry.system} ${entry.recordId ?? ''} ${entry.code}: ${entry.message}`;
    case 'record_deleted':
      return `${entry.error ? 'not deleted' : 'deleted'}        ${entry.system} ${entry.recordId} after a deletion in ${entry.after}`;
    case 'conflict':
      return `conflict       ${entry.field}: ${entry.winner} wins (${entry.rule})`;
    case 'score':
      return `score          ${entry.from ?? 'none'} -> ${entry.to}`;
    case 'record_linked':
      return `linked         ${entry.system} ${entry.recordId}: existing ${entry.objectType ?? 'record'} found by email`;
    case 'notification':
      return entry.channel === 'owner'
        ? `owner          ${entry.outcome}: ${entry.detail ?? ''}`
        : `notified       ${entry.event} via ${entry.channel}: ${entry.outcome}${entry.detail ? ` (${entry.detail})` : ''}`;
  }
}

/** A story lead's trail as `explain` keeps it, one line per entry, for the end of the demo. */
export function formatTrail(name: string, explanation: Explanation | null): string[] {
  if (!explanation) return [`${name}: no trail found`];
  const { link } = explanation;
  const ids = [
    link.hubspot ? `HubSpot ${link.hubspot}` : '',
    link.salesforceLead ? `Salesforce ${link.salesforceLead}` : '',
    link.salesforceContact ? `Salesforce Contact ${link.salesforceContact}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `${name} (${link.leadKey}; ${ids})`,
    ...explanation.entries.map((entry) => `  ${clock(entry.at)}  ${describe(entry)}`),
  ];
}
