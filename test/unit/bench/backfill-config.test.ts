import { describe, expect, it } from 'vitest';
import { withBurstLimit } from '../../../bench/backfill-run.ts';
import { parseConfig } from '../../../src/config/load.ts';

const yaml = (hubspotUrl: string) => `
tenants:
  - id: bench
    hubspot:
      accessToken: bench-token
      baseUrl: ${hubspotUrl}
      clientSecret: bench-client-secret
      portalId: 62515
    salesforce:
      loginUrl: http://127.0.0.1:2
      clientId: emulator-client
      refreshToken: emulator-refresh
      orgId: 00D000000000001
`;

describe('bench backfill config', () => {
  it("tells the tenant the portal's burst limit the emulator enforces", () => {
    const url = 'http://127.0.0.1:1234';
    expect(parseConfig(yaml(url), {}).tenants[0]?.hubspot.burstLimitPer10s).toBe(100);
    const told = withBurstLimit(yaml(url), url, 190);
    expect(parseConfig(told, {}).tenants[0]?.hubspot.burstLimitPer10s).toBe(190);
  });

  it('refuses a config without the HubSpot URL it was given, instead of measuring the default', () => {
    expect(() => withBurstLimit(yaml('http://127.0.0.1:1234'), 'http://127.0.0.1:9', 190)).toThrow(/baseUrl/);
  });
});
