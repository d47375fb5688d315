import { LedgerEntry } from '../domain/ledger-entry.ts';

/**
 * Compact stored form of a ledger entry: short keys, instants as epoch milliseconds, a one-letter code for
 * the type, no actor when it is LeadBridge itself, and no due time of a breach or reminder when it is its
 * source time (as it always is today). A lead gains a few entries a month, and an install keeps every
 * lead's ledger, so each entry costs what it must (see the README for the measured bytes per entry).
 * Unknown keys pass through unchanged; entries stored before the type codes and defaults decode as they are.
 */
const SHORT: Record<string, string> = {
  type: 'y',
  at: 'a',
  sourceTime: 's',
  episode: 'e',
  cause: 'c',
  actor: 'u',
  from: 'f',
  to: 't',
  rule: 'r',
  reason: 'x',
  timers: 'm',
  history: 'h',
  clock: 'k',
  rejectedAt: 'j',
  detail: 'd',
  score: 'p',
  qualified: 'q',
  timer: 'w',
  dueAt: 'z',
  followUpDueAt: 'fu',
  reminderAt: 'rm',
  feedbackDueAt: 'fb',
  recycleDueAt: 'rc',
  handoffAt: 'ho',
  followUpAt: 'fa',
  feedbackAt: 'fe',
};
const LONG = Object.fromEntries(Object.entries(SHORT).map(([long, short]) => [short, long]));
const INSTANTS = new Set([
  'at',
  'sourceTime',
  'rejectedAt',
  'dueAt',
  'followUpDueAt',
  'reminderAt',
  'feedbackDueAt',
  'recycleDueAt',
  'handoffAt',
  'followUpAt',
  'feedbackAt',
]);

function encodeValue(key: string, value: unknown): unknown {
  if (INSTANTS.has(key) && typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : ms;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return encodeObject(value);
  return value;
}

function encodeObject(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[SHORT[key] ?? key] = encodeValue(key, inner);
  }
  return out;
}

function decodeObject(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [short, inner] of Object.entries(value)) {
    const key = LONG[short] ?? short;
    if (INSTANTS.has(key) && typeof inner === 'number') out[key] = new Date(inner).toISOString();
    else if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      out[key] = decodeObject(inner as Record<string, unknown>);
    } else out[key] = inner;
  }
  return out;
}

const TYPES: Record<string, string> = {
  transition: 'T',
  refusal: 'R',
  feedback: 'F',
  score: 'S',
  breach: 'B',
  reminder: 'M',
};
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([long, short]) => [short, long]));
/** The actor of LeadBridge's own entries (timers, scores, seeds), left out of the stored form. */
const DEFAULT_ACTOR = 'leadbridge';
const DUE_AT_TYPES = new Set(['breach', 'reminder']);

export function encodeLedgerEntry(entry: LedgerEntry): string {
  const parsed = LedgerEntry.parse(entry);
  const out = encodeObject(parsed);
  out.y = TYPES[parsed.type] ?? parsed.type;
  if (parsed.actor === DEFAULT_ACTOR) delete out.u;
  if ('dueAt' in parsed && parsed.dueAt === parsed.sourceTime) delete out.z;
  return JSON.stringify(out);
}

/** The entry, or null when the stored text is not one (corrupt or from a future version). */
export function decodeLedgerEntry(raw: string): LedgerEntry | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const stored = json as Record<string, unknown>;
  const expanded = decodeObject(stored);
  if (typeof stored.y === 'string' && TYPE_NAMES[stored.y]) {
    // The short form: type code, and the defaults it leaves out.
    expanded.type = TYPE_NAMES[stored.y];
    if (!('u' in stored)) expanded.actor = DEFAULT_ACTOR;
    if (DUE_AT_TYPES.has(expanded.type as string) && !('z' in stored)) expanded.dueAt = expanded.sourceTime;
  }
  const parsed = LedgerEntry.safeParse(expanded);
  return parsed.success ? parsed.data : null;
}
