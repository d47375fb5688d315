import type { LeadBridgeConfig } from '../../config/schema.ts';
import type { AuditEntry } from '../../store/audit-entry.ts';
import type { AuditTrail } from '../../store/audit-trail.ts';
import type { EmulatorControl } from './emulator-control.ts';
import type { Progress } from './progress.ts';
import { DANA, LEE, REJECTION_REASON, SAM, type StoryPerson } from './story-people.ts';
import { waitFor } from './wait-for.ts';

export interface StoryDeps {
  control: EmulatorControl;
  audit: AuditTrail;
  config: LeadBridgeConfig;
  tenant: string;
  progress: Progress;
  /** How long each step waits for its effect, in milliseconds. */
  stepTimeoutMs: number;
  signal?: AbortSignal;
}

/** The story's people as they ended up, for the trails and the summary. */
export interface StoryCast {
  people: StoryPerson[];
}

const HOW_SEEN: Record<string, string> = {
  webhook: 'HubSpot webhook',
  outbound_message: 'Salesforce outbound message',
  poll: 'poll',
  backfill: 'backfill',
  manual: 'sync pass',
};

/** How LeadBridge last learnt of a change to this person's records, from their audit trail. */
async function lastSeenBy(deps: StoryDeps, email: string): Promise<string> {
  const trail = await deps.audit.explain(deps.tenant, email);
  const seen = trail?.entries.filter((entry) => entry.type === 'change_seen').at(-1);
  return seen?.type === 'change_seen' ? (HOW_SEEN[seen.source] ?? seen.source) : 'unknown';
}

function scoreOf(properties: Record<string, string | null>, field: string): number | undefined {
  const value = properties[field];
  return value === null || value === undefined || value === '' ? undefined : Number(value);
}

/**
 * The scripted story, each step made the way a person would make it (in HubSpot's or Salesforce's UI,
 * through the emulators' control routes) and each outcome read back from the emulators once LeadBridge
 * has acted on it: webhooks and outbound messages carry the change, the workers reconcile it.
 */
export async function runStory(deps: StoryDeps): Promise<StoryCast> {
  const { control, config, progress } = deps;
  const hs = config.customFields.hubspot;
  const threshold = config.scoring.mqlThreshold;
  const wait = <T>(what: string, probe: () => Promise<T | undefined>, lastSeen: () => Promise<string>) =>
    waitFor(what, probe, {
      timeoutMs: deps.stepTimeoutMs,
      lastSeen,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  const describeContact = (id: string) => async () => {
    const properties = await control.contact(id);
    return `score ${properties[hs.score] ?? 'none'}, stage ${properties[hs.stage] ?? 'none'}, lifecyclestage ${properties.lifecyclestage ?? 'none'}`;
  };

  const ids = new Map<StoryPerson, string>();
  const handedOff = async (person: StoryPerson) => {
    const id = ids.get(person) as string;
    const lead = await wait(
      `${person.name} in Salesforce`,
      async () => control.findLead(person.email),
      describeContact(id),
    );
    // Salesforce is written before HubSpot in one reconcile, so the new score can reach HubSpot a moment
    // after the lead appears in Salesforce: wait for the qualifying score itself.
    const score = await wait(
      `${person.name}'s qualifying score in HubSpot`,
      async () => {
        const current = scoreOf(await control.contact(id), hs.score);
        return current !== undefined && current >= threshold ? current : undefined;
      },
      describeContact(id),
    );
    const owner = await wait(
      `${person.name}'s owner`,
      async () => {
        const trail = await deps.audit.explain(deps.tenant, person.email);
        const entry = trail?.entries.find((e) => e.type === 'notification' && e.channel === 'owner');
        return entry?.type === 'notification' ? entry.detail : undefined;
      },
      describeContact(id),
    );
    return `${person.name} (score ${score}) passed the handoff gate -> created in Salesforce as ${String(lead.Status)}, owner ${owner} (seen by ${await lastSeenBy(deps, person.email)})`;
  };

  await progress.step(
    `${DANA.name} signs up on the website`,
    async () => {
      ids.set(DANA, await control.createContact(DANA.signUp));
      const id = ids.get(DANA) as string;
      const score = await wait(
        `${DANA.name}'s score in HubSpot`,
        async () => scoreOf(await control.contact(id), hs.score),
        describeContact(id),
      );
      const where = control.findLead(DANA.email) ? 'yet found in Salesforce!' : 'not sent to Salesforce';
      return `${DANA.name} (score ${score}) is below the MQL threshold ${threshold}: stays with marketing, ${where}`;
    },
    (text) => text,
  );

  await progress.step(
    `${DANA.name} requests a demo`,
    async () => {
      await control.editContact(ids.get(DANA) as string, {
        recent_conversion_date: new Date().toISOString(),
        hs_analytics_num_page_views: '6',
      });
      return handedOff(DANA);
    },
    (text) => text,
  );

  await progress.step(
    `${LEE.name} requests a demo without giving a company`,
    async () => {
      ids.set(
        LEE,
        await control.createContact({ ...LEE.signUp, recent_conversion_date: new Date().toISOString() }),
      );
      const blocked = await wait(
        `the handoff gate's verdict on ${LEE.name}`,
        async () => {
          const trail = await deps.audit.explain(deps.tenant, LEE.email);
          return trail?.entries.find(
            (entry): entry is Extract<AuditEntry, { type: 'decision' }> =>
              entry.type === 'decision' && entry.rule === 'handoff_blocked',
          );
        },
        describeContact(ids.get(LEE) as string),
      );
      const inSalesforce = control.findLead(LEE.email) ? ' (but found in Salesforce!)' : '';
      const reasons = (blocked.explanation ?? '').replace(/^handoff gate: /, '');
      return `${LEE.name} (score ${blocked.score?.score ?? '?'}) blocked: ${reasons}; stays with marketing${inSalesforce}`;
    },
    (text) => text,
  );

  await progress.step(
    `${SAM.name} requests a demo`,
    async () => {
      ids.set(
        SAM,
        await control.createContact({ ...SAM.signUp, recent_conversion_date: new Date().toISOString() }),
      );
      return handedOff(SAM);
    },
    (text) => text,
  );

  await progress.step(
    `a sales rep calls ${DANA.name}`,
    async () => {
      const lead = control.findLead(DANA.email) as Record<string, unknown>;
      await control.editLead(String(lead.Id), { Status: 'Working - Contacted' });
      const id = ids.get(DANA) as string;
      const stage = await wait(
        `${DANA.name} as sales-qualified in HubSpot`,
        async () => {
          const properties = await control.contact(id);
          return properties.lifecyclestage === 'salesqualifiedlead' ? properties : undefined;
        },
        describeContact(id),
      );
      return `rep worked ${DANA.name}: Working - Contacted -> HubSpot lifecycle stage ${stage.lifecyclestage}, LeadBridge stage ${stage[hs.stage]} (seen by ${await lastSeenBy(deps, DANA.email)})`;
    },
    (text) => text,
  );

  await progress.step(
    `a sales rep rejects ${SAM.name}`,
    async () => {
      const lead = control.findLead(SAM.email) as Record<string, unknown>;
      await control.editLead(String(lead.Id), {
        Status: 'Closed - Not Converted',
        Rejection_Reason__c: REJECTION_REASON,
      });
      const id = ids.get(SAM) as string;
      const properties = await wait(
        `${SAM.name}'s rejection reason in HubSpot`,
        async () => {
          const current = await control.contact(id);
          return current[hs.rejectionReason] ? current : undefined;
        },
        describeContact(id),
      );
      return `rep rejected ${SAM.name}: '${REJECTION_REASON}' -> HubSpot shows ${hs.rejectionReason} '${properties[hs.rejectionReason]}', lead status ${properties.hs_lead_status ?? 'none'} (seen by ${await lastSeenBy(deps, SAM.email)})`;
    },
    (text) => text,
  );

  return { people: [DANA, LEE, SAM] };
}
