import type { LeadBridgeConfig } from './schema.ts';

/** Canonical fields LeadBridge computes itself: every config may refer to them without mapping them. */
export const COMPUTED_FIELDS = ['stage', 'score', 'rejectionReason', 'rejectedAt', 'slaDueAt', 'slaBreached'];

/** A place in the config that names a field that does not exist, with the nearest one that does. */
export interface DanglingReference {
  /** Where in the file, e.g. `scoring.rules[2].field`. */
  path: string;
  field: string;
  /** The closest known name, when one is close enough to be a typo. */
  suggestion?: string;
  /** The canonical fields that do exist. */
  known: string[];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known name nearest to `name` (case-insensitive), if within two edits or a third of its length. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

/**
 * Scoring rules and `handoff.requiredFields` entries that name a canonical field no `fields[]` mapping
 * provides (and LeadBridge does not compute): such a rule never fires and such a gate never opens, so
 * `doctor` fails on them instead of the config quietly scoring nothing.
 */
export function danglingFieldReferences(config: LeadBridgeConfig): DanglingReference[] {
  const known = [...config.fields.map((field) => field.canonical), ...COMPUTED_FIELDS];
  const knownSet = new Set(known);
  const references = [
    ...config.scoring.rules.map((rule, index) => ({
      path: `scoring.rules[${index}].field`,
      field: rule.field,
    })),
    ...config.handoff.requiredFields.map((field, index) => ({
      path: `handoff.requiredFields[${index}]`,
      field,
    })),
  ];
  return references
    .filter((reference) => !knownSet.has(reference.field))
    .map((reference) => {
      const suggestion = nearest(reference.field, known);
      return { ...reference, known, ...(suggestion ? { suggestion } : {}) };
    });
}
