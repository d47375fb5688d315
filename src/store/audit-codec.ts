import { AuditEntry } from './audit-entry.ts';

/**
 * Compact stored form of an audit entry. Every lead keeps its trail, and a backfill alone writes three to
 * five entries per lead, so the trail was the largest thing LeadBridge kept in Redis (about 1.5 KB of a
 * 3.9 KB lead). Encoding, lossless (decode(encode(e)) deep-equals e):
 * - short keys (`KEYS`) and one- or two-letter codes for the entry types and systems;
 * - instants as epoch milliseconds, when the ISO text is exactly what `toISOString` gives back;
 * - a patch's field list left out when it is its changes' fields in order, each change a tuple
 *   `[field, rule, new]` or `[field, rule, new, old]` (a short number for the usual rules);
 * - a decision's explanation without the `<from> -> <to> (<rule>, ` it starts with (`reconcile-lead.ts`);
 * - scores as `[score, [[rule id, points], ...]]`.
 * Entries written before this format (long keys, with `type`) decode as they are: readers take both.
 */

const KEYS: Record<string, string> = {
  type: 'y',
  at: 'a',
  system: 's',
  objectId: 'i',
  source: 'o',
  kind: 'k',
  occurredAt: 'w',
  rule: 'r',
  from: 'f',
  to: 't',
  by: 'b',
  explanation: 'x',
  move: 'v',
  score: 'p',
  recordId: 'd',
  fields: 'l',
  changes: 'c',
  created: 'n',
  field: 'fd',
  base: 'ba',
  hubspot: 'hs',
  salesforce: 'sf',
  ownership: 'ow',
  winner: 'wi',
  fired: 'fi',
  code: 'co',
  message: 'me',
  retryable: 're',
  after: 'af',
  policy: 'po',
  error: 'er',
  event: 'ev',
  channel: 'ch',
  outcome: 'oc',
  key: 'ke',
  attempt: 'tt',
  detail: 'de',
  objectType: 'ot',
  duplicates: 'du',
};
const LONG_KEYS = invert(KEYS);

const TYPES: Record<string, string> = {
  change_seen: 'c',
  decision: 'd',
  patch_written: 'p',
  record_error: 'e',
  conflict: 'x',
  score: 's',
  record_deleted: 'r',
  notification: 'n',
  record_linked: 'l',
};
const LONG_TYPES = invert(TYPES);

const SYSTEMS: Record<string, string> = { hubspot: 'h', salesforce: 's' };
const LONG_SYSTEMS = invert(SYSTEMS);

/** The rules that decide most patched fields (`audit-entries.ts` `ruleFor`), stored as their index. */
const RULES = [
  'computed',
  'two_way',
  'hubspot',
  'salesforce',
  'prefer_hubspot_unless_blank',
  'prefer_salesforce_unless_blank',
  'ownership',
];

const INSTANTS = new Set(['at', 'occurredAt']);

function invert(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([long, short]) => [short, long]));
}

function encodeInstant(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? ms : value;
}

function decodeInstant(value: unknown): unknown {
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

type Fired = Array<{ id: string; points: number }>;
const firedTuples = (fired: Fired) => fired.map((rule) => [rule.id, rule.points]);
const firedObjects = (tuples: unknown): unknown =>
  Array.isArray(tuples)
    ? tuples.map((tuple: unknown) =>
        Array.isArray(tuple) ? { id: tuple[0] as unknown, points: tuple[1] as unknown } : tuple,
      )
    : tuples;

type Change = { field: string; old?: unknown; new: unknown; rule: string };

function changeTuple(change: Change): unknown[] {
  const code = RULES.indexOf(change.rule);
  const tuple = [change.field, code >= 0 ? code : change.rule, change.new];
  if (change.old !== undefined) tuple.push(change.old);
  return tuple;
}

function changeObject(tuple: unknown): unknown {
  if (!Array.isArray(tuple)) return tuple;
  const [field, rule, value, ...old] = tuple as unknown[];
  return {
    field,
    ...(old.length > 0 ? { old: old[0] } : {}),
    new: value,
    rule: typeof rule === 'number' ? (RULES[rule] ?? String(rule)) : rule,
  };
}

/** The start of a decision's explanation that its own fields already say (see `reconcile-lead.ts`). */
const explanationHead = (entry: { from?: unknown; to?: unknown; rule?: unknown }) =>
  `${(entry.from as string | null) ?? 'new'} -> ${(entry.to as string | null) ?? 'none'} (${String(entry.rule)}, `;

/** The stored text of an entry (validated first, like every write of the trail). */
export function encodeAuditEntry(input: AuditEntry): string {
  const entry = AuditEntry.parse(input) as Record<string, unknown> & AuditEntry;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    out[KEYS[key] ?? key] = INSTANTS.has(key) ? encodeInstant(value) : value;
  }
  out.y = TYPES[entry.type] ?? entry.type;
  for (const key of ['system', 'after'] as const) {
    const value = entry[key as keyof typeof entry];
    if (typeof value === 'string') out[KEYS[key]!] = SYSTEMS[value] ?? value;
  }
  if (entry.type === 'patch_written' && entry.changes) {
    out.c = entry.changes.map((change) => changeTuple(change as Change));
    const same =
      entry.fields.length === entry.changes.length &&
      entry.fields.every((field, i) => field === entry.changes?.[i]?.field);
    if (same) delete out.l;
  }
  if (entry.type === 'decision') {
    if (entry.score) out.p = [entry.score.score, firedTuples(entry.score.fired)];
    const head = explanationHead(entry);
    if (entry.explanation?.startsWith(head)) {
      delete out.x;
      out.xt = entry.explanation.slice(head.length);
    }
  }
  if (entry.type === 'score') out.fi = firedTuples(entry.fired);
  return JSON.stringify(out);
}

/** The entry's fields with their long names, from either stored form; validate with `AuditEntry`. */
export function expandAuditEntry(json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const stored = json as Record<string, unknown>;
  if ('type' in stored) return stored;
  const out: Record<string, unknown> = {};
  for (const [short, value] of Object.entries(stored)) {
    if (short === 'xt') continue;
    const key = LONG_KEYS[short] ?? short;
    out[key] = INSTANTS.has(key) ? decodeInstant(value) : value;
  }
  out.type = typeof stored.y === 'string' ? (LONG_TYPES[stored.y] ?? stored.y) : stored.y;
  for (const key of ['system', 'after']) {
    const value = out[key];
    if (typeof value === 'string') out[key] = LONG_SYSTEMS[value] ?? value;
  }
  if (out.type === 'patch_written' && Array.isArray(out.changes)) {
    out.changes = out.changes.map(changeObject);
    if (!('fields' in out)) {
      out.fields = (out.changes as Array<{ field?: unknown }>).map((change) => change?.field);
    }
  }
  if (out.type === 'decision') {
    if (Array.isArray(out.score)) {
      const [score, fired] = out.score as unknown[];
      out.score = { score, fired: firedObjects(fired) };
    }
    if (typeof stored.xt === 'string') out.explanation = explanationHead(out) + stored.xt;
  }
  if (out.type === 'score') out.fired = firedObjects(out.fired);
  return out;
}

/**
 * Parses one stored element of a trail, in either form: the entry, or why it is unreadable.
 */
export function decodeAuditEntry(raw: string): { entry: AuditEntry } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { reason: 'not JSON' };
  }
  const parsed = AuditEntry.safeParse(expandAuditEntry(json));
  if (parsed.success) return { entry: parsed.data };
  return { reason: parsed.error.issues[0]?.message ?? 'invalid entry' };
}
