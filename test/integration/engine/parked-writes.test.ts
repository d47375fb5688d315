import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import {
  createContact,
  editContact,
  emailSequence,
  qualifiedContact,
  TENANT,
  type Harness,
  useHarness,
  writeCalls,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

describe('a write refused permanently is parked until the record or the config changes', () => {
  useHarness('parked', (started) => (h = started));

  it('is not sent again unchanged, stays reported, and goes out once the record is fixed', async () => {
    const address = email('refused');
    // Salesforce's LastName holds 80 characters: the create is refused for the record itself.
    const id = await createContact(h.hubspot, { ...qualifiedContact(address), lastname: 'L'.repeat(100) });
    const first = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(first.failures.map((failure) => failure.code)).toEqual(['STRING_TOO_LONG']);
    expect(writeCalls(h.recorder).filter((call) => call.system === 'salesforce')).toHaveLength(1);

    for (let pass = 0; pass < 3; pass++) {
      h.recorder.reset();
      const again = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
      expect(again.failures.map((failure) => failure.code)).toEqual(['STRING_TOO_LONG']);
      expect(again.failures[0]?.message).toMatch(/parked since/);
      expect(writeCalls(h.recorder).filter((call) => call.system === 'salesforce')).toEqual([]);
    }

    await editContact(h.hubspot, id, { lastname: 'Lovelace' });
    h.recorder.reset();
    const fixed = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(fixed.failures).toEqual([]);
    expect(fixed.created.salesforce).toBe(1);
    expect(await h.deps.parked?.list(TENANT)).toEqual([]);
  });

  it('is sent again once the config changes', async () => {
    const id = await createContact(h.hubspot, {
      ...qualifiedContact(email('config')),
      lastname: 'M'.repeat(90),
    });
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    h.recorder.reset();
    await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
    expect(writeCalls(h.recorder).filter((call) => call.system === 'salesforce')).toEqual([]);
    const config = h.deps.config;
    h.deps.config = { ...config, sync: { ...config.sync, debounce: '3s' } };
    try {
      h.recorder.reset();
      const retried = await reconcileBatch(h.deps, TENANT, [{ system: 'hubspot', id }]);
      expect(writeCalls(h.recorder).filter((call) => call.system === 'salesforce')).toHaveLength(1);
      expect(retried.failures[0]?.message).not.toMatch(/parked since/);
    } finally {
      h.deps.config = config;
    }
  });
});
