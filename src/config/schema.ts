import { z } from 'zod';
import { Duration } from '../domain/duration.ts';
import { HandoffConfig } from '../domain/handoff-schema.ts';
import { LifecycleConfig } from '../domain/lifecycle-schema.ts';
import { FieldMapping } from '../domain/ownership-schema.ts';
import { ScoringConfig } from '../domain/scoring-schema.ts';
import { SlaConfig } from '../domain/sla-schema.ts';
import { TenantConfig } from './tenant-schema.ts';

export const DEFAULT_FIELD_MAPPINGS: z.input<typeof FieldMapping>[] = [
  { canonical: 'email', hubspot: 'email', salesforce: 'Email', ownership: 'two_way' },
  { canonical: 'firstName', hubspot: 'firstname', salesforce: 'FirstName', ownership: 'two_way' },
  { canonical: 'lastName', hubspot: 'lastname', salesforce: 'LastName', ownership: 'two_way' },
  {
    canonical: 'company',
    hubspot: 'company',
    salesforce: 'Company',
    ownership: 'prefer_salesforce_unless_blank',
  },
  { canonical: 'phone', hubspot: 'phone', salesforce: 'Phone', ownership: 'two_way' },
  { canonical: 'title', hubspot: 'jobtitle', salesforce: 'Title', ownership: 'two_way' },
];

/** Names of the properties and fields LeadBridge itself writes into the tenants. */
export const CustomFieldNames = z.strictObject({
  hubspot: z
    .strictObject({
      group: z.string().default('leadbridge'),
      score: z.string().default('leadbridge_score'),
      stage: z.string().default('leadbridge_stage'),
      rejectionReason: z.string().default('leadbridge_rejection_reason'),
      rejectedAt: z.string().default('leadbridge_rejected_at'),
      slaDueAt: z.string().default('leadbridge_sla_due_at'),
      slaBreached: z.string().default('leadbridge_sla_breached'),
      gateReason: z.string().default('leadbridge_gate_reason'),
    })
    .prefault({}),
  salesforce: z
    .strictObject({
      score: z.string().default('LeadBridge_Score__c'),
      stage: z.string().default('LeadBridge_Stage__c'),
      rejectionReason: z.string().default('Rejection_Reason__c'),
      slaDueAt: z.string().default('LeadBridge_SLA_Due__c'),
      slaBreached: z.string().default('LeadBridge_SLA_Breached__c'),
      key: z
        .string()
        .default('LeadBridge_Key__c')
        .describe(
          'Lead field holding the lead key: Text(40), Unique, External ID. New Leads are upserted on it, so a repeated create never makes a second Lead.',
        ),
    })
    .prefault({}),
});
export type CustomFieldNames = z.infer<typeof CustomFieldNames>;

/** How `leadbridge backfill` pipelines reading, reconciling and writing (jobs/backfill.ts). */
export const BackfillConfig = z.strictObject({
  batchSize: z
    .number()
    .int()
    .min(1)
    .default(1_000)
    .describe(
      'Records reconciled together by a backfill (pages are gathered until they hold this many; a page is never split). The checkpoint moves after each such unit.',
    ),
  batchesInFlight: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe(
      'Backfill units reconciling at once while the next is read; memory holds about (this + 1) x batchSize records.',
    ),
  writeWait: Duration.default('5s').describe(
    'Longest a partial write or email lookup call of a backfill waits for the next unit’s patches or emails to fill it (it goes out at once when no other unit can join).',
  ),
});

export const SyncConfig = z.strictObject({
  pollInterval: Duration.default('5m').describe(
    'How often the pollers look for changes (safety net for webhooks).',
  ),
  pollOverlap: Duration.default('2m').describe(
    'How far back each poll reaches before its cursor, for search-index lag and late commits.',
  ),
  debounce: Duration.default('2s').describe(
    'The longest a record that keeps changing waits for more changes; the first change of a quiet record goes out at once (with debounceMode fixed: how long every change waits).',
  ),
  debounceMode: z
    .enum(['adaptive', 'fixed'])
    .default('adaptive')
    .describe(
      'adaptive: a quiet record goes out at once, one that keeps changing waits up to the debounce, a busy tenant batches every quarter debounce. fixed: every routine change waits the whole debounce and batches go out on a grid of it (fewest API calls, one to two debounces of latency). A rep’s change or an SLA action goes at once in both.',
    ),
  claimLease: Duration.default('60s').describe(
    'How long records taken for a reconcile batch stay claimed without a renewal; a killed worker’s records return to pending after it.',
  ),
  backfill: BackfillConfig.prefault({}),
});
export type SyncConfig = z.infer<typeof SyncConfig>;

export const LeadBridgeConfig = z
  .strictObject({
    tenants: z.array(TenantConfig).min(1, 'configure at least one tenant'),
    lifecycle: LifecycleConfig.prefault({}),
    scoring: ScoringConfig.prefault({}),
    handoff: HandoffConfig.prefault({}),
    sla: SlaConfig.prefault({}),
    fields: z.array(FieldMapping).prefault(DEFAULT_FIELD_MAPPINGS),
    customFields: CustomFieldNames.prefault({}),
    sync: SyncConfig.prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.tenants.forEach((tenant, index) => {
      if (seen.has(tenant.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', index, 'id'],
          message: `tenant id "${tenant.id}" is used twice`,
        });
      }
      seen.add(tenant.id);
    });
    const canonical = new Set<string>();
    config.fields.forEach((field, index) => {
      if (canonical.has(field.canonical)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'canonical'],
          message: `"${field.canonical}" is mapped twice`,
        });
      }
      canonical.add(field.canonical);
    });
    const stages = new Set(config.lifecycle.stages);
    config.fields.forEach((field, index) =>
      field.ownershipFromStage.forEach((rule, ruleIndex) => {
        if (!stages.has(rule.stage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['fields', index, 'ownershipFromStage', ruleIndex, 'stage'],
            message: `"${rule.stage}" is not one of the stages (${config.lifecycle.stages.join(', ')})`,
          });
        }
      }),
    );
  });
export type LeadBridgeConfig = z.infer<typeof LeadBridgeConfig>;
