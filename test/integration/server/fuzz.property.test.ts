import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutboundEnvelope } from '../../../connectors/salesforce/emulator/outbound-envelope.ts';
import { ConfigError } from '../../../src/config/config-error.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { hubspotHeaders } from '../../unit/hubspot/sign.ts';
import {
  HOSTILE_ORG,
  HOSTILE_PORTAL,
  HOSTILE_SECRET,
  hostileApp,
  leaksInternals,
  listen,
} from '../../helpers/hostile-app.ts';

/** Statuses a hostile request may get: accepted (2xx) or refused (4xx); never a 5xx. */
function acceptable(status: number): boolean {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500);
}

const contentTypes = fc.constantFrom(
  'text/xml; charset=utf-8',
  'application/json',
  'application/soap+xml',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/xml; charset=utf-16',
  '',
);

const VALID_ENVELOPE = buildOutboundEnvelope({
  organizationId: HOSTILE_ORG,
  actionId: '04k5g000000CaSNAA0',
  baseUrl: 'https://acme.my.salesforce.com',
  apiVersion: '62.0',
  notifications: [
    { id: '04l5g00000C2XqHAAV', objectType: 'Lead', fields: { Id: '00Q5g00000bS2eOEAS', Email: 'a@b.c' } },
  ],
});

/** A valid envelope with a slice replaced, inserted or removed: near-misses find more than noise. */
const mutatedEnvelope = fc
  .tuple(
    fc.nat({ max: VALID_ENVELOPE.length }),
    fc.nat({ max: 200 }),
    fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(
        '<!DOCTYPE x [<!ENTITY e "e">]>',
        '&e;',
        '<![CDATA[',
        '<Notification>',
        '</notifications>',
        '<OrganizationId>00D000000000000AAA</OrganizationId>',
        `<OrganizationId>${HOSTILE_ORG}</OrganizationId>`,
        '\uFFFF\uD800',
        '&#0;',
        '&#x110000;',
        'x'.repeat(5_000),
      ),
    ),
  )
  .map(([at, cut, insert]) => VALID_ENVELOPE.slice(0, at) + insert + VALID_ENVELOPE.slice(at + cut));

const sfBody = fc.oneof(
  mutatedEnvelope,
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

const hubspotEvent = fc.record(
  {
    eventId: fc.oneof(fc.nat(), fc.string({ maxLength: 8 }), fc.constant(-1)),
    subscriptionId: fc.nat(),
    portalId: fc.oneof(fc.constant(HOSTILE_PORTAL), fc.integer(), fc.double()),
    occurredAt: fc.oneof(
      fc.nat(),
      fc.double(),
      fc.constant(1e300),
      fc.constant(-1),
      fc.string({ maxLength: 5 }),
    ),
    subscriptionType: fc.oneof(
      fc.constantFrom(
        'contact.propertyChange',
        'contact.deletion',
        'contact.merge',
        'contact.privacyDeletion',
      ),
      fc.string({ maxLength: 20 }),
    ),
    objectId: fc.oneof(fc.nat(), fc.string({ maxLength: 10 })),
    propertyName: fc.string({ maxLength: 20 }),
    propertyValue: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('9'.repeat(70_000))),
    mergedObjectIds: fc.array(fc.oneof(fc.nat(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
    __proto__: fc.constant({ polluted: true }),
  },
  { requiredKeys: [] },
);

const hubspotBody = fc.oneof(
  fc.array(hubspotEvent, { maxLength: 5 }).map((events) => JSON.stringify(events)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
);

describe('fuzz: both webhook routes answer 2xx or 4xx, never a 5xx or a stack, and refused requests enqueue nothing', () => {
  const h = hostileApp('fuzz');
  let server: Awaited<ReturnType<typeof listen>>;
  let healthFailures = 0;
  let healthChecks = 0;
  let healthMaxMs = 0;
  let polling: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    server = await listen(h.app);
    // /healthz must answer throughout.
    polling = setInterval(() => {
      const start = performance.now();
      fetch(`${server.url}/healthz`)
        .then((response) => {
          healthChecks += 1;
          healthMaxMs = Math.max(healthMaxMs, performance.now() - start);
          if (response.status !== 200) healthFailures += 1;
        })
        .catch(() => (healthFailures += 1));
    }, 50);
  });

  afterAll(async () => {
    clearInterval(polling);
    await server.close();
    await h.close();
  });

  it('POST /webhooks/salesforce[/<segment>] with arbitrary bodies, types and encodings', async () => {
    await fc.assert(
      fc.asyncProperty(
        sfBody,
        contentTypes,
        fc.constantFrom('', '/x', '/..%2f', '/%E0%A4%A', `/${'a'.repeat(300)}`),
        fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'bogus'),
        async (body, type, suffix, encoding) => {
          const before = h.enqueued.length;
          let call = request(h.app).post(`/webhooks/salesforce${suffix}`);
          if (type !== '') call = call.set('content-type', type);
          if (encoding) call = call.set('content-encoding', encoding);
          const response = await call.send(body);
          expect(acceptable(response.status)).toBe(true);
          expect(leaksInternals(response.text)).toBe(false);
          if (response.status !== 200) expect(h.enqueued.length).toBe(before);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('POST /webhooks/hubspot with arbitrary bodies, signed and unsigned', async () => {
    await fc.assert(
      fc.asyncProperty(
        hubspotBody,
        fc.boolean(),
        contentTypes,
        fc.integer({ min: -600_000, max: 600_000 }),
        async (body, signed, type, skewMs) => {
          const before = h.enqueued.length;
          const uri = `${server.url}/webhooks/hubspot`;
          const headers: Record<string, string> = signed
            ? hubspotHeaders({ secret: HOSTILE_SECRET, uri, body, timestamp: Date.now() + skewMs })
            : { 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) };
          if (type === '') delete headers['content-type'];
          else
            headers['content-type'] =
              signed && type !== 'application/json' ? type : (headers['content-type'] ?? type);
          const response = await fetch(uri, { method: 'POST', headers, body });
          const text = await response.text();
          expect(acceptable(response.status)).toBe(true);
          expect(leaksInternals(text)).toBe(false);
          if (response.status !== 200) expect(h.enqueued.length).toBe(before);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('answered /healthz throughout', () => {
    expect(healthChecks).toBeGreaterThan(5);
    expect(healthFailures).toBe(0);
    expect(healthMaxMs).toBeLessThan(1_000);
  });
});

describe('fuzz: the config loader refuses bad files with a ConfigError that never quotes a secret', () => {
  const SECRET = 'sk-LIVE-0c1d2e3f4a5b6c7d';
  const lines = [
    'tenants:',
    '  - id: acme',
    `    hubspot: { accessToken: ${SECRET} }`,
    '    salesforce:',
    `      accessToken: "${SECRET}"`,
    '      instanceUrl: https://acme.my.salesforce.com',
    '      orgId: 00D000000000000AAA',
    `      clientSecret: '${SECRET}'`,
    'sync: { debounce: 2s }',
    'sla:',
    '  followUpWithin: 1h',
  ];
  const noise = fc.constantFrom(
    '\t',
    ':',
    '- ',
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    '&a',
    '*a',
    '!tag ',
    '%',
    '@',
    '`',
    '#',
    '\n',
    '  ',
    '|',
    '>',
    '? ',
  );

  it('any edit of a valid file parses or throws ConfigError, and the message never holds the secret', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: lines.length - 1 }), fc.nat({ max: 40 }), noise), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const text = [...lines];
          for (const [line, column, insert] of edits) {
            const current = text[line] ?? '';
            text[line] = current.slice(0, column) + insert + current.slice(column);
          }
          try {
            parseConfig(text.join('\n'), {}, 'leadbridge.config.yaml');
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as Error).message).not.toContain(SECRET.slice(0, 10));
            expect(leaksInternals((error as Error).message)).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('arbitrary text never crashes the loader', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          parseConfig(text, {}, 'leadbridge.config.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
