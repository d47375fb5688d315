/**
 * Parses `Sforce-Limit-Info`, sent on every REST response: `api-usage=10018/100000; api-bursts=1/750`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
 */
export function parseLimitInfo(header: string | null | undefined): { used: number; limit: number } | null {
  if (!header) return null;
  const match = /api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match) return null;
  const used = Number(match[1]);
  const limit = Number(match[2]);
  return limit > 0 ? { used, limit } : null;
}
