import { describe, expect, it } from 'vitest';
import { reconcileBatch } from '../../../jobs/reconcile/reconcile-batch.ts';
import type { LinkIndex } from '../../../src/store/lead-link.ts';
import { LeadLinks, type LinkLookup } from '../../../src/store/lead-links.ts';
import {
  createContact,
  emailSequence,
  qualifiedContact,
  TENANT,
  type Harness,
  useHarness,
} from './reconcile-harness.ts';

let h: Harness;
const email = emailSequence();

/**
 * The links store as one writer sees it, with another writer (a second worker, or the backfill) linking
 * records between this writer's look-up by email and its own link: the window the chaos suite hit once
 * in four runs, opened here on every run.
 */
class LinksWithARace extends LeadLinks {
  #race: (() => Promise<void>) | undefined;

  raceOnce(race: () => Promise<void>): void {
    this.#race = race;
  }

  override async findMany(tenant: string, index: LinkIndex, ids: string[]): Promise<LinkLookup> {
    const found = await super.findMany(tenant, index, ids);
    const race = this.#race;
    if (index === 'email' && race) {
      this.#race = undefined;
      await race();
    }
    return found;
  }
}

describe('linking new records while another writer links them', () => {
  useHarness('link-race', (started) => (h = started));

  it('the record another writer linked between the look-up and the link joins that link: no LINK_CONFLICT', async () => {
    const address = email('race');
    const contactId = await createContact(h.hubspot, qualifiedContact(address));
    const store = { prefix: `${h.prefix}:store` };
    const racing = new LinksWithARace(h.redis, store);
    const otherWriter = new LeadLinks(h.redis, store);
    let theirs: string | undefined;
    racing.raceOnce(async () => {
      const [outcome] = await otherWriter.linkMany(
        TENANT,
        [{ hubspot: contactId, email: address }],
        new Date(),
      );
      theirs = outcome?.ok ? outcome.link.leadKey : undefined;
    });

    const result = await reconcileBatch({ ...h.deps, links: racing }, TENANT, [
      { system: 'hubspot', id: contactId },
    ]);

    expect(theirs).toBeDefined();
    expect(result.failures).toEqual([]);
    const link = await h.deps.links.find(TENANT, 'hubspot', contactId);
    expect(link?.leadKey).toBe(theirs);
    expect((await h.deps.links.find(TENANT, 'email', address))?.leadKey).toBe(theirs);
    // The qualified contact went on to Salesforce once, under the one link.
    expect(link?.salesforceLead).toBeTruthy();
    expect(result.created.salesforce).toBe(1);
  });
});
