import { LeadLink } from './lead-link.ts';

/**
 * Compact stored form of a link (a value of the `links` hash, whose field is the lead key). Every lead
 * has one; lossless (decode(encode(l), l.leadKey) deep-equals l):
 * - no lead key (it is the hash field), no empty slots (null) and no empty history;
 * - one-letter keys, instants as epoch milliseconds when the ISO text is what `toISOString` gives back,
 *   and `updatedAt` left out while it equals `createdAt`.
 * Links written before this format (`{"leadKey":…}`) decode as they are: readers take both.
 */

const SLOTS = { hubspot: 'h', salesforceLead: 'l', salesforceContact: 'c', email: 'e' } as const;
const CHANGE: Record<string, string> = {
  at: 'a',
  side: 's',
  id: 'i',
  change: 'c',
  into: 'n',
  intoLead: 'k',
  propagated: 'p',
};
const CHANGE_LONG = Object.fromEntries(Object.entries(CHANGE).map(([long, short]) => [short, long]));

function encodeInstant(value: string): string | number {
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? ms : value;
}

const decodeInstant = (value: unknown): unknown =>
  typeof value === 'number' ? new Date(value).toISOString() : value;

/** The stored JSON of a link (validated first). */
export function encodeLink(input: LeadLink): string {
  const link = LeadLink.parse(input);
  const out: Record<string, unknown> = {};
  for (const [slot, short] of Object.entries(SLOTS)) {
    const value = link[slot as keyof typeof SLOTS];
    if (value !== null) out[short] = value;
  }
  if (link.history.length > 0) {
    out.y = link.history.map((change) => {
      const entry: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(change)) {
        if (value !== undefined)
          entry[CHANGE[key] ?? key] = key === 'at' ? encodeInstant(value as string) : value;
      }
      return entry;
    });
  }
  out.a = encodeInstant(link.createdAt);
  if (link.updatedAt !== link.createdAt) out.u = encodeInstant(link.updatedAt);
  return JSON.stringify(out);
}

/** The link's fields with their long names, from either stored form; validate with `LeadLink`. */
export function expandLink(json: unknown, leadKey: string): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const stored = json as Record<string, unknown>;
  if ('leadKey' in stored) return stored;
  const out: Record<string, unknown> = { leadKey };
  for (const [slot, short] of Object.entries(SLOTS)) out[slot] = stored[short] ?? null;
  out.history = Array.isArray(stored.y)
    ? stored.y.map((entry: unknown) => {
        if (entry === null || typeof entry !== 'object') return entry;
        const change: Record<string, unknown> = {};
        for (const [short, value] of Object.entries(entry as Record<string, unknown>)) {
          const key = CHANGE_LONG[short] ?? short;
          change[key] = key === 'at' ? decodeInstant(value) : value;
        }
        return change;
      })
    : [];
  out.createdAt = decodeInstant(stored.a);
  out.updatedAt = 'u' in stored ? decodeInstant(stored.u) : out.createdAt;
  return out;
}

/** Parses a stored link of lead `leadKey`, in either form: the link, or why it is unreadable. */
export function decodeLink(raw: string, leadKey: string): { link: LeadLink } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { reason: 'not JSON' };
  }
  const parsed = LeadLink.safeParse(expandLink(json, leadKey));
  if (!parsed.success) return { reason: parsed.error.issues[0]?.message ?? 'invalid' };
  return { link: parsed.data };
}
