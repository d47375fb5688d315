import { LeadSyncState } from './sync-state-schema.ts';

/**
 * Compact stored form of a lead's sync state (what follows `<version>:` in the `state` hash). Every lead
 * has one, so it is short, and lossless (decode(encode(s)) deep-equals s):
 * - the base's well-known fields under number keys (`BASE`; a field name starts with a letter, so they
 *   cannot meet a mapped field's name), nulls kept (a blank synced value is not a value never synced);
 * - instants as epoch milliseconds, when the ISO text is exactly what `toISOString` gives back;
 * - the last decision under one-letter keys, its stage left out when it is the proposed one, and its
 *   explanation without the `<from> -> <proposed> (<rule>, ` it starts with (`reconcile-lead.ts`).
 * States written before this format (`{"base":…}`) decode as they are: readers take both.
 */

const BASE = [
  'email',
  'firstName',
  'lastName',
  'company',
  'phone',
  'stage',
  'score',
  'rejectionReason',
  'rejectedAt',
  'slaDueAt',
  'slaBreached',
  'title',
  'gateReason',
];
const BASE_CODE = new Map(BASE.map((name, i) => [name, String(i)]));
const BASE_INSTANTS = new Set(['rejectedAt', 'slaDueAt']);

const TIMELINE: Record<string, string> = {
  handoffAt: 'h',
  firstFollowUpAt: 'f',
  feedbackAt: 'b',
  workedAtHandoff: 'w',
};
const TIMELINE_LONG = Object.fromEntries(Object.entries(TIMELINE).map(([long, short]) => [short, long]));

function encodeInstant(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? ms : value;
}

const decodeInstant = (value: unknown): unknown =>
  typeof value === 'number' ? new Date(value).toISOString() : value;

const explanationHead = (from: unknown, proposed: unknown, rule: unknown) =>
  `${(from as string | null) ?? 'new'} -> ${String(proposed)} (${String(rule)}, `;

/** The stored JSON of a state (validated first). */
export function encodeSyncState(input: LeadSyncState): string {
  const state = LeadSyncState.parse(input);
  const base: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state.base)) {
    if (value === undefined) continue;
    // A name of digits cannot be a mapped field; if one ever is, keep the whole state in the long form.
    if (/^\d+$/.test(name)) return JSON.stringify(state);
    base[BASE_CODE.get(name) ?? name] = BASE_INSTANTS.has(name) ? encodeInstant(value) : value;
  }
  const out: Record<string, unknown> = { b: base };
  const timeline: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state.timeline)) {
    if (value !== undefined) timeline[TIMELINE[name] ?? name] = encodeInstant(value);
  }
  if (Object.keys(timeline).length > 0) out.t = timeline;
  const decision = state.lastDecision;
  if (decision) {
    const head = explanationHead(decision.from, decision.proposed, decision.rule);
    out.d = {
      f: decision.from,
      p: decision.proposed,
      ...(decision.stage === decision.proposed ? {} : { s: decision.stage }),
      c: decision.changed,
      r: decision.rule,
      y: decision.by,
      ...(decision.move ? { m: decision.move } : {}),
      ...(decision.explanation.startsWith(head)
        ? { xt: decision.explanation.slice(head.length) }
        : { x: decision.explanation }),
    };
  }
  out.a = encodeInstant(state.syncedAt);
  return JSON.stringify(out);
}

/** The state's fields with their long names, from either stored form; validate with `LeadSyncState`. */
export function expandSyncState(json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const stored = json as Record<string, unknown>;
  if ('base' in stored) return stored;
  const base: Record<string, unknown> = {};
  if (stored.b !== null && typeof stored.b === 'object') {
    for (const [code, value] of Object.entries(stored.b as Record<string, unknown>)) {
      const name = /^\d+$/.test(code) ? (BASE[Number(code)] ?? code) : code;
      base[name] = BASE_INSTANTS.has(name) ? decodeInstant(value) : value;
    }
  }
  const timeline: Record<string, unknown> = {};
  if (stored.t !== null && typeof stored.t === 'object') {
    for (const [short, value] of Object.entries(stored.t as Record<string, unknown>))
      timeline[TIMELINE_LONG[short] ?? short] = decodeInstant(value);
  }
  let lastDecision: unknown = null;
  if (stored.d !== null && typeof stored.d === 'object') {
    const d = stored.d as Record<string, unknown>;
    lastDecision = {
      from: d.f,
      proposed: d.p,
      stage: 's' in d ? d.s : d.p,
      changed: d.c,
      rule: d.r,
      by: d.y,
      ...(d.m !== undefined ? { move: d.m } : {}),
      explanation: typeof d.xt === 'string' ? explanationHead(d.f, d.p, d.r) + d.xt : d.x,
    };
  }
  return { base, timeline, lastDecision, syncedAt: decodeInstant(stored.a) };
}

/** Parses the JSON part of a stored state, in either form: the state, or why it is unreadable. */
export function decodeSyncState(text: string): { state: LeadSyncState } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { reason: 'not JSON' };
  }
  const parsed = LeadSyncState.safeParse(expandSyncState(json));
  if (parsed.success) return { state: parsed.data };
  const issue = parsed.error.issues[0];
  return { reason: `${issue?.path.join('.')}: ${issue?.message}` };
}
