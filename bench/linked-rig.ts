// A rig whose Salesforce leads are already synced: `leadbridge backfill` has created each in HubSpot and
// linked the two, so an edit on one side has a record to reach on the other.
import { spawnCli, startRig, type Rig, type RigOptions } from './harness.ts';

export interface LinkedPair {
  contactId: string;
  leadId: string;
}

export interface LinkedRig {
  rig: Rig;
  pairs: LinkedPair[];
}

export async function startLinkedRig(options: RigOptions & { leads: number }): Promise<LinkedRig> {
  const rig = await startRig({ ...options, contacts: 0 });
  try {
    const cli = spawnCli(['backfill', '--config', rig.configFile, '--json'], rig.env);
    const code = await cli.exited;
    if (code !== 0) throw new Error(`set-up backfill exited ${code}:\n${cli.output().slice(-2000)}`);
    // The set-up's own writes queued webhooks (changeSource INTEGRATION) for a server not yet running;
    // dropping them keeps the set-up's echoes out of what the scenario measures.
    const webhooks = rig.hubspot.webhooks;
    if (webhooks) rig.hubspot.setWebhook(webhooks.options);
    const leadByEmail = new Map<string, string>();
    for (const row of rig.salesforce.state.store.rows('Lead')) {
      if (row.IsDeleted === true || row.IsConverted === true) continue;
      leadByEmail.set(String(row.Email ?? '').toLowerCase(), String(row.Id));
    }
    const pairs: LinkedPair[] = [];
    for (const contact of rig.hubspot.store.contacts.values()) {
      const leadId = leadByEmail.get((contact.properties.email ?? '').toLowerCase());
      if (!contact.archived && leadId) pairs.push({ contactId: contact.id, leadId });
    }
    if (pairs.length === 0) throw new Error('set-up backfill linked no lead to a contact');
    rig.resetCounts();
    return { rig, pairs };
  } catch (error) {
    await rig.close();
    throw error;
  }
}
