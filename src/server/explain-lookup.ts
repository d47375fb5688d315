import type { LedgerEntry } from '../domain/ledger-entry.ts';
import type { AuditTrail, Explanation } from '../store/audit-trail.ts';
import type { LeadLedger } from '../store/lead-ledger.ts';

/** One lead's history in one tenant: what `explain` prints and `GET /api/leads/:key/explain` answers. */
export interface TenantExplanation extends Explanation {
  tenant: string;
  /** The lead's lifecycle ledger, oldest first (transitions, refusals, feedback, score crossings, breaches). */
  ledger?: LedgerEntry[];
}

/** The answer to an explain query: every tenant where the email or id names a lead. */
export interface ExplainResult {
  query: string;
  results: TenantExplanation[];
}

/**
 * Resolves an email, lead key, HubSpot or Salesforce id (current or former) in each of `tenants`, in order.
 * An email can name a lead in several tenants, so every tenant asked is searched, not only the first hit.
 */
export async function explainLead(
  audit: AuditTrail,
  tenants: string[],
  query: string,
  limit?: number,
  ledger?: LeadLedger,
): Promise<ExplainResult> {
  const found = await Promise.all(
    tenants.map(async (tenant): Promise<TenantExplanation | null> => {
      const explanation = await audit.explain(tenant, query, limit);
      if (!explanation) return null;
      const entries = ledger ? (await ledger.read(tenant, explanation.link.leadKey)).entries : undefined;
      return { tenant, ...explanation, ...(entries ? { ledger: entries } : {}) };
    }),
  );
  return { query, results: found.filter((item): item is TenantExplanation => item !== null) };
}
