import { createHash, createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import docs from '../../fixtures/hubspot/hubspot-webhook-docs-examples.json' with { type: 'json' };
import { computeSignature, decodeSignedUri, verifySignature } from '../../../connectors/hubspot/signature.ts';

const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const body = docs.signature_docs_example_body.raw_body;
const uri = 'https://www.example.com/webhook_uri';
const now = 1_731_427_200_000;

function v3Headers(options: { uri?: string; body?: string; timestamp?: number; key?: string } = {}) {
  const timestamp = String(options.timestamp ?? now - 1_000);
  const signature = createHmac('sha256', options.key ?? secret)
    .update(`POST${options.uri ?? uri}${options.body ?? body}${timestamp}`)
    .digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp };
}

const verify = (
  headers: Record<string, string>,
  overrides: Partial<Parameters<typeof verifySignature>[0]> = {},
) =>
  verifySignature({
    headers,
    method: 'POST',
    uri,
    rawBody: Buffer.from(body),
    secrets: [secret],
    versions: ['v3'],
    now,
    ...overrides,
  });

describe('HubSpot webhook signatures', () => {
  it('computes the same v1, v2 and v3 signatures as the official SDK', () => {
    const timestamp = String(now);
    for (const version of ['v1', 'v2', 'v3'] as const) {
      const ours = computeSignature(version, { clientSecret: secret, method: 'POST', uri, body, timestamp });
      const sdk = Signature.getSignature('POST', version, {
        clientSecret: secret,
        requestBody: body,
        url: uri,
        timestamp: Number(timestamp),
        signature: '',
      });
      expect(ours).toBe(sdk);
    }
    // The documented v1 example: sha256(clientSecret + body), lowercase hex.
    expect(computeSignature('v1', { clientSecret: secret, method: 'POST', uri, body })).toBe(
      createHash('sha256')
        .update(secret + body)
        .digest('hex'),
    );
  });

  it('accepts a valid v3 signature over the raw bytes', () => {
    expect(verify(v3Headers())).toEqual({ ok: true, version: 'v3', secretIndex: 0 });
  });

  it('refuses a tampered body', () => {
    const headers = v3Headers();
    const tampered = Buffer.from(body.replace('"objectId":123', '"objectId":124'));
    expect(verify(headers, { rawBody: tampered })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret, and finds the right one among several', () => {
    expect(verify(v3Headers({ key: 'other-secret' }))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(v3Headers({ key: 'second' }), { secrets: [secret, 'second'] })).toEqual({
      ok: true,
      version: 'v3',
      secretIndex: 1,
    });
  });

  it('refuses a timestamp older than 5 minutes, or too far ahead, and a missing one', () => {
    expect(verify(v3Headers({ timestamp: now - 300_001 }))).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify(v3Headers({ timestamp: now - 299_000 })).ok).toBe(true);
    expect(verify(v3Headers({ timestamp: now + 120_000 }))).toEqual({
      ok: false,
      reason: 'future_timestamp',
    });
    const { 'x-hubspot-request-timestamp': _dropped, ...noTimestamp } = v3Headers();
    expect(verify(noTimestamp)).toEqual({ ok: false, reason: 'missing_timestamp' });
  });

  it('signs the URI with the listed escapes decoded, other escapes and the query kept', () => {
    const called = 'https://hooks.example.com/webhooks/hubspot?tenant=acme%3Aeu&note=a%20b%2Cc&x=%C3%BC';
    expect(decodeSignedUri(called)).toBe(
      'https://hooks.example.com/webhooks/hubspot?tenant=acme:eu&note=a%20b,c&x=%C3%BC',
    );
    expect(decodeSignedUri('%3a%2f%40%21%24%27%28%29%2a%3b%3F')).toBe(":/@!$'()*;?");
    // HubSpot signs the decoded form: a request whose URI carries the escapes must verify.
    const signedOver = decodeSignedUri(called);
    expect(verify(v3Headers({ uri: signedOver }), { uri: called }).ok).toBe(true);
    // And the query string is part of what is signed.
    expect(
      verify(v3Headers({ uri: signedOver }), { uri: called.replace('tenant=acme', 'tenant=evil') }),
    ).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts v1 and v2 only when enabled', () => {
    const v1 = {
      'x-hubspot-signature': createHash('sha256')
        .update(secret + body)
        .digest('hex'),
      'x-hubspot-signature-version': 'v1',
    };
    expect(verify(v1)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verify(v1, { versions: ['v3', 'v1'] })).toEqual({ ok: true, version: 'v1', secretIndex: 0 });
    const v2 = {
      'x-hubspot-signature': createHash('sha256').update(`${secret}POST${uri}${body}`).digest('hex'),
      'x-hubspot-signature-version': 'v2',
    };
    expect(verify(v2, { versions: ['v1'] })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verify(v2, { versions: ['v2'] })).toEqual({ ok: true, version: 'v2', secretIndex: 0 });
    expect(verify({ ...v2, 'x-hubspot-signature': 'f'.repeat(64) }, { versions: ['v2'] })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('does not fall back to v1 when a v3 signature is present but wrong', () => {
    const headers = {
      ...v3Headers({ key: 'wrong' }),
      'x-hubspot-signature': createHash('sha256')
        .update(secret + body)
        .digest('hex'),
      'x-hubspot-signature-version': 'v1',
    };
    expect(verify(headers, { versions: ['v3', 'v1'] })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses everything when no secret is configured', () => {
    expect(verify(v3Headers(), { secrets: [] })).toEqual({ ok: false, reason: 'no_secret' });
  });
});
