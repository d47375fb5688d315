// A rep's rejection during a large backfill: linked leads, then `contacts` more HubSpot contacts and a
// `leadbridge backfill` of them running (HubSpot at `burstPer10s`) next to `serve` and a `worker`; mid-way a
// rep rejects a lead in Salesforce (outbound message on), and the time until the HubSpot contact carries the
// rejection reason is measured at the HubSpot emulator.
import { control, freePort, spawnCli, waitUntil } from './harness.ts';
import { startLinkedRig } from './linked-rig.ts';
import { startLive } from './live.ts';

const REASON = 'No budget this year';
const REJECTED_STATUS = 'Closed - Not Converted';

/** Seconds from the rep's rejection to the reason on the HubSpot contact. */
export async function rejectionSeconds(options: {
  contacts: number;
  burstPer10s: number;
  name: string;
}): Promise<number> {
  const serverPort = await freePort();
  const { rig, pairs } = await startLinkedRig({ name: options.name, leads: 20, serverPort });
  try {
    const store = rig.salesforce.state.store;
    const target = pairs.find((pair) => {
      const lead = store.get('Lead', pair.leadId);
      return lead !== undefined && lead.Status !== REJECTED_STATUS;
    });
    if (!target) throw new Error('no linked lead that is not already rejected');
    await control(`${rig.hubspot.url}/__emulator/seed`, { count: options.contacts });
    await control(`${rig.hubspot.url}/__emulator/faults`, { burstPer10s: options.burstPer10s });
    const live = await startLive(rig, { workers: 1, serverPort });
    const backfill = spawnCli(['backfill', '--config', rig.configFile, '--json'], rig.env);
    try {
      rig.resetCounts();
      // Mid-backfill: a backfill at the bound makes about two HubSpot calls per 100 contacts (a list page and
      // a batch update), so one per 100 is about half-way.
      const halfWay = Math.ceil(options.contacts / 100);
      await waitUntil(
        () => {
          if (backfill.child.exitCode !== null) throw new Error('the backfill ended before the rejection');
          return rig.calls.hubspot.length >= halfWay;
        },
        120_000,
        'backfill under way',
        20,
      );
      const contact = rig.hubspot.store.contacts.get(target.contactId)!;
      const start = performance.now();
      await control(`${rig.salesforce.url}/__emulator/leads/${target.leadId}/edit`, {
        Status: REJECTED_STATUS,
        Rejection_Reason__c: REASON,
      });
      let landed = start;
      await waitUntil(
        () => {
          landed = performance.now();
          return Object.values(contact.properties).includes(REASON);
        },
        180_000,
        'rejection reason on the HubSpot contact',
        10,
      );
      return (landed - start) / 1000;
    } finally {
      await backfill.stop();
      await live.stop();
    }
  } finally {
    await rig.close();
  }
}
