/** Shortest admin token accepted: 24 characters (about 144 bits from a random base64 generator). */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/** Words that mark a value copied from an example rather than generated. */
const PLACEHOLDER_WORDS = [
  'change-me',
  'changeme',
  'change_me',
  'replace',
  'example',
  'placeholder',
  'your-',
  'secret',
  'password',
  'token',
  'admin',
];

export type AdminTokenCheck = { ok: true } | { ok: false; problem: string };

/**
 * Whether LEADBRIDGE_ADMIN_TOKEN may guard the admin routes: set, not a placeholder, at least 24
 * characters and not one character repeated. A weak token turns the admin routes off (503) rather
 * than guarding them badly.
 */
export function checkAdminToken(token: string | undefined): AdminTokenCheck {
  const fix = 'generate one with `openssl rand -base64 32` and set LEADBRIDGE_ADMIN_TOKEN';
  if (token === undefined || token.trim() === '')
    return { ok: false, problem: `LEADBRIDGE_ADMIN_TOKEN is not set; ${fix}` };
  const lower = token.toLowerCase();
  if (PLACEHOLDER_WORDS.some((word) => lower.includes(word)))
    return { ok: false, problem: `LEADBRIDGE_ADMIN_TOKEN looks like a placeholder; ${fix}` };
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    return {
      ok: false,
      problem: `LEADBRIDGE_ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters; ${fix}`,
    };
  if (new Set(token).size < 6)
    return { ok: false, problem: `LEADBRIDGE_ADMIN_TOKEN is not random enough; ${fix}` };
  return { ok: true };
}
