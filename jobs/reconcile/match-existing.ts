import type { TenantConnectors } from '../../connectors/index.ts';
import type { EmailMatch } from '../../connectors/salesforce/email-match.ts';
import { chooseExisting, type ExistingChoice } from '../../src/domain/existing-match.ts';
import type { AuditEntry } from '../../src/store/audit-entry.ts';
import { normalizeEmail } from '../../src/store/lead-link.ts';
import type { LeadLinks } from '../../src/store/lead-links.ts';
import type { LinkInput } from '../../src/store/link-plans.ts';
import type { RecordFailure } from '../engine.ts';
import type { LeadPlan, LeadSides, ReadCache } from './types.ts';

export interface MatchContext {
  tenant: string;
  connectors: TenantConnectors;
  links: LeadLinks;
  now: Date;
}

export interface MatchOutcome {
  /** The batch's plans: a lead linked to an existing record is planned again with it. */
  plans: LeadPlan[];
  /** Creates not sent because the person is already in Salesforce in a way LeadBridge does not link. */
  failures: RecordFailure[];
  /** Per lead key, what the audit trail records about the link made. */
  entries: Map<string, AuditEntry[]>;
}

/** The normalised email of a lead whose plan creates a Salesforce Lead; null for every other plan. */
function createdEmail(plan: LeadPlan): string | null {
  const patch = plan.patches.salesforce;
  if (!patch || patch.id !== undefined) return null;
  const { link, hubspot } = plan.sides;
  if (link.salesforceLead !== null || link.salesforceContact !== null) return null;
  const email = hubspot?.lead.email ?? patch.fields.email ?? link.email;
  return typeof email === 'string' && email.trim() !== '' ? normalizeEmail(email) : null;
}

function failure(
  tenant: string,
  plan: LeadPlan,
  recordId: string,
  code: string,
  message: string,
): RecordFailure {
  return {
    tenant,
    leadKey: plan.sides.link.leadKey,
    system: 'salesforce',
    recordId,
    code,
    message,
    retryable: false,
  };
}

/** The plan without its Salesforce create: that side keeps its old base, as after a refused write. */
function withoutCreate(plan: LeadPlan): LeadPlan {
  const { salesforce: _create, ...patches } = plan.patches;
  return { ...plan, patches, withheld: { ...plan.withheld, salesforce: true } };
}

function failureFor(
  tenant: string,
  plan: LeadPlan,
  email: string,
  choice: Extract<ExistingChoice, { kind: 'contact_only' | 'linked_elsewhere' }>,
): RecordFailure {
  if (choice.kind === 'contact_only') {
    const [first, ...more] = choice.contactIds as [string, ...string[]];
    return failure(
      tenant,
      plan,
      first,
      'EXISTS_AS_CONTACT',
      `${email} is already Salesforce Contact ${first}${more.length > 0 ? ` (and ${more.join(', ')})` : ''}, not a Lead; no second record created`,
    );
  }
  return failure(
    tenant,
    plan,
    choice.id,
    'LINK_CONFLICT',
    `${email} is already Salesforce record ${choice.id}, linked to lead ${choice.leadKey}; no second record created`,
  );
}

/**
 * Before a batch creates Salesforce Leads, looks for Leads and Contacts that already hold those emails
 * (one lookup for the whole batch, `findByEmail`), so a person already in Salesforce is linked, not
 * given a second Lead (design.md, Identity): one Lead (or converted Lead) found is linked and the lead
 * planned again with it, so the normal merge decides what to write to it; several are settled by the
 * duplicate choice; a Contact alone, or a record another lead holds, stops the create with a failure
 * that says so. `replan` plans a lead again from new sides.
 */
export async function matchExisting(
  context: MatchContext,
  plans: LeadPlan[],
  cache: ReadCache,
  replan: (sides: LeadSides, plan: LeadPlan) => LeadPlan,
  at: string,
): Promise<MatchOutcome> {
  const { tenant, connectors, links, now } = context;
  const outcome: MatchOutcome = { plans, failures: [], entries: new Map() };
  const emails = new Map<LeadPlan, string>();
  for (const plan of plans) {
    const email = createdEmail(plan);
    if (email !== null) emails.set(plan, email);
  }
  if (emails.size === 0) return outcome;
  const found = await connectors.salesforce.findByEmail([...new Set(emails.values())]);
  if (found.length === 0) return outcome;

  const owners = await links.findMany(
    tenant,
    'salesforce',
    found.map((record) => record.id),
  );
  const byEmail = new Map<string, EmailMatch[]>();
  for (const record of found) byEmail.set(record.email, [...(byEmail.get(record.email) ?? []), record]);

  const replaced = new Map<LeadPlan, LeadPlan>();
  const toLink: Array<{
    plan: LeadPlan;
    input: LinkInput;
    choice: Extract<ExistingChoice, { kind: 'link' }>;
  }> = [];
  for (const [plan, email] of emails) {
    const leadKey = plan.sides.link.leadKey;
    const choice = chooseExisting(
      (byEmail.get(email) ?? []).map((record) => {
        const owner = owners.found.get(record.id)?.leadKey;
        return { ...record, linkedTo: owner !== undefined && owner !== leadKey ? owner : undefined };
      }),
    );
    if (choice.kind === 'none') continue;
    if (choice.kind === 'link') {
      const input: LinkInput = {
        leadKey,
        salesforceLead: choice.leadId,
        ...(choice.contactId ? { salesforceContact: choice.contactId } : {}),
        ...(choice.duplicates.length > 0 ? { salesforceDuplicates: choice.duplicates } : {}),
      };
      toLink.push({ plan, input, choice });
      continue;
    }
    outcome.failures.push(failureFor(tenant, plan, email, choice));
    replaced.set(plan, withoutCreate(plan));
  }

  if (toLink.length > 0) {
    const linked = await links.linkMany(
      tenant,
      toLink.map(({ input }) => input),
      now,
    );
    const read = await connectors.salesforce.read(toLink.map(({ choice }) => choice.leadId));
    const byLeadId = new Map(read.map((record) => [record.leadId, record]));
    toLink.forEach(({ plan, choice }, i) => {
      const result = linked[i];
      const email = emails.get(plan) as string;
      if (!result?.ok) {
        outcome.failures.push(
          failure(
            tenant,
            plan,
            choice.leadId,
            'LINK_CONFLICT',
            `${email} is already Salesforce Lead ${choice.leadId}, which could not be linked: ${result?.detail ?? 'no outcome'}; no second record created`,
          ),
        );
        replaced.set(plan, withoutCreate(plan));
        return;
      }
      const record = byLeadId.get(choice.leadId) ?? null;
      if (record) {
        cache.salesforce.set(record.id, record);
        cache.salesforce.set(record.leadId, record);
      }
      const sides: LeadSides = {
        ...plan.sides,
        link: result.link,
        salesforce: record,
        missing: { ...plan.sides.missing, salesforce: record === null },
      };
      replaced.set(plan, replan(sides, plan));
      outcome.entries.set(plan.sides.link.leadKey, [
        {
          type: 'record_linked',
          at,
          system: 'salesforce',
          recordId: choice.contactId ?? choice.leadId,
          objectType: choice.contactId ? 'Contact' : 'Lead',
          by: 'email',
          ...(choice.duplicates.length > 0 ? { duplicates: choice.duplicates } : {}),
        },
      ]);
    });
  }
  outcome.plans = plans.map((plan) => replaced.get(plan) ?? plan);
  return outcome;
}
