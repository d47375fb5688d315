import { describe, expect, it } from 'vitest';
import { appFingerprint } from '../../../connectors/salesforce/token-store.ts';
import { oauthAppFingerprint, tokenFingerprint } from '../../../src/store/session-store.ts';

// Sessions already stored carry these fingerprints: the shared recipe must give the very values each
// connector computed on its own before, or every stored session would yield once after an upgrade.
describe('oauthAppFingerprint', () => {
  it('gives the Salesforce connected-app fingerprint as before, absent parts as empty', () => {
    const app = { loginUrl: 'https://login.salesforce.com', clientId: 'cid', clientSecret: 'sec' };
    expect(appFingerprint(app)).toBe(
      tokenFingerprint(JSON.stringify(['app', app.loginUrl, app.clientId, app.clientSecret])),
    );
    expect(appFingerprint({ clientId: 'cid' })).toBe(
      tokenFingerprint(JSON.stringify(['app', '', 'cid', ''])),
    );
  });

  it('gives the HubSpot public-app fingerprint as before, and tells apps and systems apart', () => {
    expect(oauthAppFingerprint('hubspot-app', 'cid', 'sec')).toBe(
      tokenFingerprint(JSON.stringify(['hubspot-app', 'cid', 'sec'])),
    );
    expect(oauthAppFingerprint('hubspot-app', 'cid', 'other')).not.toBe(
      oauthAppFingerprint('hubspot-app', 'cid', 'sec'),
    );
    expect(oauthAppFingerprint('app', 'cid', 'sec')).not.toBe(
      oauthAppFingerprint('hubspot-app', 'cid', 'sec'),
    );
  });
});
