import type { AuditTrail, Explanation } from '../store/audit-trail.ts';

/** One lead's history in one tenant: what `explain` prints and `GET /api/leads/:key/explain` answers. */
export interface TenantExplanation extends Explanation {
  tenant: string;
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
): Promise<ExplainResult> {
  const found = await Promise.all(
    tenants.map(async (tenant) => {
      const explanation = await audit.explain(tenant, query, limit);
      return explanation ? { tenant, ...explanation } : null;
    }),
  );
  return { query, results: found.filter((item): item is TenantExplanation => item !== null) };
}
