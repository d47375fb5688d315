/** One of several records of one system that share an email. */
export interface DuplicateCandidate {
  id: string;
  /** A converted Salesforce Lead (its Contact is the record); a HubSpot contact never is. */
  converted: boolean;
  /** ISO-8601 instant of the record's last modification. */
  modifiedAt: string;
  /** ISO-8601 instant of its creation, when known. */
  createdAt?: string | undefined;
}

function instant(iso: string | undefined): number {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? Number.NaN : ms;
}

/**
 * Pure, deterministic: which record of several sharing one email the lead links, the others being
 * duplicates that LeadBridge never writes to. Converted first (sales already works it), then the most
 * recently modified, then the oldest by creation (CreatedDate / createdate), then the lowest id (so equal records always give the same answer,
 * whatever order they arrive in).
 */
export function choosePrimary<T extends DuplicateCandidate>(
  candidates: T[],
): { primary: T; duplicates: T[] } {
  if (candidates.length === 0) throw new Error('choosePrimary needs at least one candidate');
  const ranked = [...candidates].sort((a, b) => {
    if (a.converted !== b.converted) return a.converted ? -1 : 1;
    const modified = (instant(b.modifiedAt) || 0) - (instant(a.modifiedAt) || 0);
    if (modified !== 0 && !Number.isNaN(modified)) return modified;
    const [ca, cb] = [instant(a.createdAt), instant(b.createdAt)];
    if (!Number.isNaN(ca) && !Number.isNaN(cb) && ca !== cb) return ca - cb;
    if (Number.isNaN(ca) !== Number.isNaN(cb)) return Number.isNaN(ca) ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  const [primary, ...duplicates] = ranked as [T, ...T[]];
  return { primary, duplicates };
}
