// One `leadbridge backfill` of a fresh pair of emulators, measured at the emulators: calls per system, 429s,
// the span from the first API call to the last, what was written (for the bounds), Redis bytes per lead
// and the process's peak RSS.
import { control, memoryUnder, spawnCli, startRig, type Rig } from './harness.ts';
import { hubspotCallBound, salesforceCallBound, type SystemWork } from './bounds.ts';

export interface BackfillMeasure {
  /** 0, or 1 when some records failed (parked with their cause; counted in `failures`). */
  exitCode: number | null;
  /** Records the backfill reported as failed (its --json summary). */
  failures: number;
  hubspot: { calls: number; rateLimited: number; work: SystemWork; bound: number };
  salesforce: { calls: number; work: SystemWork; bound: number };
  /** Seconds from the first API call of the backfill to its last, on either system. */
  seconds: number;
  /** Distinct people (normalised emails) on either side once done. */
  leads: number;
  redisBytes: number;
  redisKeys: number;
  peakRssBytes: number;
}

/**
 * Scoring that qualifies a contact with a company and a phone (about half of the seeded ones), and
 * `createExistingInSalesforce`, so the backfill hands the qualified existing contacts to Salesforce; with
 * the defaults (no scoring rules, existing leads not created) it creates nothing there and the Salesforce
 * creates (and how full their batches are) would go unmeasured.
 */
const BENCH_SCORING = `
handoff:
  createExistingInSalesforce: true
scoring:
  mqlThreshold: 50
  rules:
    - { id: has-company, category: fit, field: company, op: exists, points: 20 }
    - { id: has-phone, category: engagement, field: phone, op: exists, points: 30 }
`;

function liveContacts(rig: Rig): { id: string; email: string }[] {
  return [...rig.hubspot.store.contacts.values()]
    .filter((contact) => !contact.archived)
    .map((contact) => ({ id: contact.id, email: (contact.properties.email ?? '').toLowerCase() }));
}

function liveLeads(
  rig: Rig,
): { Id: string; Email: string; CreatedById: unknown; LastModifiedById: unknown }[] {
  return rig.salesforce.state.store
    .rows('Lead')
    .filter((row) => row.IsDeleted !== true)
    .map((row) => ({
      Id: String(row.Id),
      Email: String(row.Email ?? '').toLowerCase(),
      CreatedById: row.CreatedById,
      LastModifiedById: row.LastModifiedById,
    }));
}

/**
 * Seeds `contacts` HubSpot contacts and `leads` Salesforce leads, sets HubSpot's burst limit to
 * `burstPer10s` (0: off), runs `leadbridge backfill` to the end and measures it.
 */
export async function measureBackfill(options: {
  contacts: number;
  leads: number;
  burstPer10s: number;
  name?: string;
  /** Qualify and hand off contacts (BENCH_SCORING); false: the config's defaults (nothing handed off). */
  handoffs?: boolean;
}): Promise<BackfillMeasure> {
  const rig = await startRig({
    name: options.name ?? 'backfill',
    contacts: options.contacts,
    leads: options.leads,
    extra: options.handoffs === false ? '' : BENCH_SCORING,
    // The figure is a backfill of a portal at `burstPer10s` (190: Professional/Enterprise), configured
    // as its admin would (README: 190 for Pro/Enterprise), as bench/engine-backfill-at-limit.ts does;
    // left at the default 100, the client's own gate (95 per 10 s) set the wall time, not the engine.
    ...(options.burstPer10s > 0 ? { hubspotBurstLimitPer10s: options.burstPer10s } : {}),
  });
  try {
    await control(`${rig.hubspot.url}/__emulator/faults`, { burstPer10s: options.burstPer10s });
    const readHubSpot = liveContacts(rig).length;
    const readSalesforce = liveLeads(rig).length;
    rig.resetCounts();
    const cli = spawnCli(['backfill', '--config', rig.configFile, '--json'], rig.env);
    const exitCode = await cli.exited;
    const peakRssBytes = cli.peakRss();
    if (exitCode !== 0 && exitCode !== 1)
      throw new Error(`leadbridge backfill exited ${exitCode}:\n${cli.output().slice(-2000)}`);

    let failures = Number.NaN;
    try {
      failures = (JSON.parse(cli.stdout()) as { failures: unknown[] }).failures.length;
    } catch {
      // No summary (it exited early): failures stay unknown.
    }
    const integration = rig.salesforce.integrationUserId;
    const leadsAfter = liveLeads(rig);
    const salesforceWork: SystemWork = {
      read: readSalesforce,
      created: leadsAfter.filter((lead) => lead.CreatedById === integration).length,
      updated: leadsAfter.filter(
        (lead) => lead.CreatedById !== integration && lead.LastModifiedById === integration,
      ).length,
    };
    const hubspotWork: SystemWork = {
      read: readHubSpot,
      created: rig.hubspotWrites.created.size,
      updated: rig.hubspotWrites.updated.size,
    };
    const stamps = [...rig.calls.hubspot, ...rig.calls.salesforce].map((call) => call.at);
    const emails = new Set(
      [...liveContacts(rig).map((c) => c.email), ...leadsAfter.map((l) => l.Email)].filter(Boolean),
    );
    const memory = await memoryUnder(rig.prefix);
    return {
      exitCode,
      failures,
      hubspot: {
        calls: rig.calls.hubspot.length,
        rateLimited: rig.calls.hubspot.filter((call) => call.status === 429).length,
        work: hubspotWork,
        bound: hubspotCallBound(hubspotWork),
      },
      salesforce: {
        calls: rig.calls.salesforce.length,
        work: salesforceWork,
        bound: salesforceCallBound(salesforceWork),
      },
      seconds: stamps.length ? (Math.max(...stamps) - Math.min(...stamps)) / 1000 : 0,
      leads: emails.size,
      redisBytes: memory.bytes,
      redisKeys: memory.keys,
      peakRssBytes,
    };
  } finally {
    await rig.close();
  }
}
