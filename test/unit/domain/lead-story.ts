import { HandoffConfig } from '../../../src/domain/handoff-schema.ts';
import type { Lead } from '../../../src/domain/lead.ts';
import { LifecycleConfig } from '../../../src/domain/lifecycle-schema.ts';
import type { LedgerState } from '../../../src/domain/ledger-fold.ts';
import type { LedgerEntry } from '../../../src/domain/ledger-entry.ts';
import { nextBase } from '../../../src/domain/merge.ts';
import { FieldMapping } from '../../../src/domain/ownership-schema.ts';
import { reconcileLead, type DomainConfig, type SideMeta } from '../../../src/domain/reconcile-lead.ts';
import { ScoringConfig } from '../../../src/domain/scoring-schema.ts';
import { SlaConfig } from '../../../src/domain/sla-schema.ts';

/**
 * A lead across reconcile passes, as the engine keeps it (both records, the base, the ledger), for the
 * domain's story tests. Scoring: a `points` field worth 60 (threshold 50); gate: email and company.
 */
export const config: DomainConfig = {
  lifecycle: LifecycleConfig.parse({}),
  handoff: HandoffConfig.parse({ requiredFields: ['email', 'company'] }),
  sla: SlaConfig.parse({ followUpWithin: '1h', rejectionFeedbackWithin: '4h', recycleAfter: '1d' }),
  scoring: ScoringConfig.parse({
    mqlThreshold: 50,
    rules: [{ id: 'points', category: 'engagement', field: 'points', op: 'exists', points: 60 }],
  }),
  fields: [
    { canonical: 'email', hubspot: 'email', salesforce: 'Email' },
    { canonical: 'lastName', hubspot: 'lastname', salesforce: 'LastName' },
    {
      canonical: 'company',
      hubspot: 'company',
      salesforce: 'Company',
      ownership: 'prefer_salesforce_unless_blank',
    },
    { canonical: 'points', hubspot: 'points', type: 'string', ownership: 'hubspot' },
  ].map((mapping) => FieldMapping.parse(mapping)),
  customFields: {
    hubspot: {
      score: 'hs_score',
      stage: 'hs_stage',
      rejectionReason: 'hs_reason',
      gateReason: 'hs_gate',
      slaBreached: 'hs_b',
    },
    salesforce: { score: 'S', stage: 'ST', rejectionReason: 'R', slaBreached: 'B' },
  },
};

export const person = { email: 'ann@acme.com', lastName: 'Ng', company: 'Acme' };

/** A lead across passes: both records, the base and the ledger's fold, as the engine keeps them. */
export class Story {
  hubspot: Partial<Lead> | null;
  salesforce: Partial<Lead> | null = null;
  base: Partial<Lead> | null = null;
  ledger: LedgerState | null = null;
  /** Every ledger entry of every pass, in order (what the ledger store holds). */
  entries: LedgerEntry[] = [];
  meta: { hubspot?: SideMeta; salesforce?: SideMeta } = {};
  constructor(hubspot: Partial<Lead>) {
    this.hubspot = hubspot;
  }
  /**
   * One reconcile pass at `now`. An edit is stamped `modifiedAt` in its system (default `now`): Salesforce
   * stamps whole seconds, so a rep's edit can carry a time before the pass that reads it.
   */
  pass(
    now: string,
    extra: { salesforceEdit?: Partial<Lead>; hubspotEdit?: Partial<Lead>; modifiedAt?: string } = {},
  ) {
    const modifiedAt = extra.modifiedAt ?? now;
    if (extra.salesforceEdit && this.salesforce) {
      this.salesforce = { ...this.salesforce, ...extra.salesforceEdit };
      this.meta.salesforce = { modifiedAt, actor: '005REP' };
    }
    if (extra.hubspotEdit && this.hubspot) {
      this.hubspot = { ...this.hubspot, ...extra.hubspotEdit };
      this.meta.hubspot = { modifiedAt, actor: '77' };
    }
    const result = reconcileLead({
      base: this.base,
      hubspot: this.hubspot,
      salesforce: this.salesforce,
      meta: this.meta,
      ledger: this.ledger,
      config,
      now: new Date(now),
    });
    const write = (side: Partial<Lead> | null, patch: Partial<Lead>, create: boolean) =>
      create ? { ...result.merge.merged, ...patch } : side && { ...side, ...patch };
    this.hubspot = write(this.hubspot, result.merge.patches.hubspot, result.create.hubspot);
    this.salesforce = write(this.salesforce, result.merge.patches.salesforce, result.create.salesforce);
    this.base = nextBase(this.base, result.merge, { hubspot: true, salesforce: true });
    this.ledger = result.lifecycle;
    this.entries.push(...result.ledger);
    this.meta = {};
    return result;
  }
}
