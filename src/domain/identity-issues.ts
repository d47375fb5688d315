import { z } from 'zod';
import { SystemName } from './lead.ts';

/**
 * A record that shares its person with the record the lead links (same email, or the survivor of a merge
 * already had one): it resolves to the lead and is never written to.
 */
export const DuplicateRecord = z.object({
  tenant: z.string(),
  leadKey: z.string(),
  system: SystemName,
  id: z.string(),
  /** The record the lead links instead. */
  linkedTo: z.string().nullable(),
  reason: z.string(),
  /** ISO-8601 instant it was marked. */
  at: z.string(),
});
export type DuplicateRecord = z.infer<typeof DuplicateRecord>;

/** A write refused for the record itself, not sent again until the record or the config changes. */
export const ParkedRecord = z.object({
  tenant: z.string(),
  leadKey: z.string(),
  system: SystemName,
  /** The record the write was for; null for a create that never happened. */
  recordId: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  /** ISO-8601 instant it was parked. */
  at: z.string(),
});
export type ParkedRecord = z.infer<typeof ParkedRecord>;

/** One tenant's duplicates and parked writes: counts and the records (ids and reasons, no personal data). */
export const TenantIdentityIssues = z.object({
  tenant: z.string(),
  duplicates: z.object({ count: z.number().int().nonnegative(), records: z.array(DuplicateRecord) }),
  parked: z.object({ count: z.number().int().nonnegative(), records: z.array(ParkedRecord) }),
});
export type TenantIdentityIssues = z.infer<typeof TenantIdentityIssues>;
