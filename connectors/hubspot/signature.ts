import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_MAX_AGE_MS, SIGNATURE_MAX_FUTURE_MS } from './limits.ts';

// https://developers.hubspot.com/docs/api/webhooks/validating-requests
// Our own verifier rather than the SDK's Signature.isValid: that one defaults to v1, compares with ===,
// does not decode the URI and throws on a stale timestamp.

export type SignatureVersion = 'v1' | 'v2' | 'v3';

/** The escapes the v3 rules say to decode in the request URI; every other escape stays encoded. */
const V3_DECODED: Record<string, string> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

/** The request URI as v3 signs it: the listed escapes decoded (hex case-insensitive), others untouched. */
export function decodeSignedUri(uri: string): string {
  return uri.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => V3_DECODED[hex.toUpperCase()] ?? escape);
}

export interface SignatureInput {
  clientSecret: string;
  /** HTTP method as sent, e.g. `POST`. */
  method: string;
  /** Full URI HubSpot called: scheme, host, path and query. */
  uri: string;
  /** The raw request body bytes. */
  body: Buffer | string;
  /** `X-HubSpot-Request-Timestamp`, epoch milliseconds as sent (v3 only). */
  timestamp?: string;
}

/** The signature HubSpot sends for `input` in `version` (also used by the emulator to sign deliveries). */
export function computeSignature(version: SignatureVersion, input: SignatureInput): string {
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const method = input.method.toUpperCase();
  switch (version) {
    case 'v1':
      return createHash('sha256').update(input.clientSecret).update(body).digest('hex');
    case 'v2':
      return createHash('sha256')
        .update(input.clientSecret + method + input.uri)
        .update(body)
        .digest('hex');
    case 'v3':
      return createHmac('sha256', input.clientSecret)
        .update(method + decodeSignedUri(input.uri))
        .update(body)
        .update(input.timestamp ?? '')
        .digest('base64');
  }
}

function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Lengths of a well-formed signature are public (44 base64 chars, 64 hex chars); comparing a
  // same-length buffer keeps timingSafeEqual from throwing without leaking anything more.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export type SignatureFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature'
  | 'no_secret';

export type SignatureCheck =
  { ok: true; version: SignatureVersion; secretIndex: number } | { ok: false; reason: SignatureFailure };

export interface VerifyOptions {
  /** Lower-cased request headers (as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  method: string;
  /** Full public URI HubSpot called. */
  uri: string;
  rawBody: Buffer;
  /** Candidate client secrets; the first that verifies wins. */
  secrets: string[];
  /** Versions accepted; v3 is checked first and, when its header is present, is the only one checked. */
  versions: SignatureVersion[];
  /** Current time, epoch milliseconds. */
  now: number;
  /** Oldest accepted v3 timestamp, in milliseconds before `now`. */
  maxAgeMs?: number;
  /** Newest accepted v3 timestamp, in milliseconds after `now`. */
  maxFutureMs?: number;
}

function header(headers: VerifyOptions['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function firstMatching(secrets: string[], signature: string, sign: (secret: string) => string): number {
  let match = -1;
  // Check every secret so the time taken does not reveal which one matched.
  secrets.forEach((secret, index) => {
    if (constantTimeEqual(sign(secret), signature) && match < 0) match = index;
  });
  return match;
}

/** Checks a HubSpot webhook request's signature over its raw bytes. */
export function verifySignature(options: VerifyOptions): SignatureCheck {
  if (options.secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const v3 = header(options.headers, 'x-hubspot-signature-v3');
  if (v3 !== undefined && options.versions.includes('v3')) {
    const timestamp = header(options.headers, 'x-hubspot-request-timestamp');
    if (!timestamp || !/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'missing_timestamp' };
    const age = options.now - Number(timestamp);
    if (age > (options.maxAgeMs ?? SIGNATURE_MAX_AGE_MS)) return { ok: false, reason: 'stale_timestamp' };
    if (-age > (options.maxFutureMs ?? SIGNATURE_MAX_FUTURE_MS))
      return { ok: false, reason: 'future_timestamp' };
    const index = firstMatching(options.secrets, v3, (clientSecret) =>
      computeSignature('v3', { ...options, clientSecret, body: options.rawBody, timestamp }),
    );
    return index < 0
      ? { ok: false, reason: 'bad_signature' }
      : { ok: true, version: 'v3', secretIndex: index };
  }
  const legacy = header(options.headers, 'x-hubspot-signature');
  const version = (header(options.headers, 'x-hubspot-signature-version') ?? 'v1').toLowerCase();
  if (legacy === undefined || (version !== 'v1' && version !== 'v2') || !options.versions.includes(version))
    return { ok: false, reason: 'missing_signature' };
  const index = firstMatching(options.secrets, legacy.toLowerCase(), (clientSecret) =>
    computeSignature(version, { ...options, clientSecret, body: options.rawBody }),
  );
  return index < 0 ? { ok: false, reason: 'bad_signature' } : { ok: true, version, secretIndex: index };
}
