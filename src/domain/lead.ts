import { z } from 'zod';

/** A single field value as both systems can hold it; `null` means blank. */
export const FieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof FieldValue>;

/** Canonical field name: what the config's field mappings, scoring rules and handoff gate refer to. */
export const FieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field name is a letter followed by letters, digits or _');

/**
 * The canonical lead: a flat record of canonical field names to values. The well-known names below are
 * what LeadBridge itself reads; any other mapped field travels through unchanged.
 */
export const Lead = z
  .object({
    email: z.string().nullable().optional(),
    firstName: z.string().nullable().optional(),
    lastName: z.string().nullable().optional(),
    company: z.string().nullable().optional(),
    phone: z.string().nullable().optional(),
    /** Shared lifecycle stage or side state (see lifecycle-schema.ts). */
    stage: z.string().nullable().optional(),
    score: z.number().nullable().optional(),
    rejectionReason: z.string().nullable().optional(),
    /** ISO-8601 instant. */
    rejectedAt: z.string().nullable().optional(),
    /** ISO-8601 instant by which sales must follow up. */
    slaDueAt: z.string().nullable().optional(),
    slaBreached: z.boolean().nullable().optional(),
  })
  .catchall(FieldValue);
export type Lead = z.infer<typeof Lead>;

/** The two systems LeadBridge keeps in step. */
export const SystemName = z.enum(['hubspot', 'salesforce']);
export type SystemName = z.infer<typeof SystemName>;
