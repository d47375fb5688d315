import { z } from 'zod';

export const DEFAULT_STAGES = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'] as const;

/** Side states sit outside the stage order; only explicit, recorded moves lead into and out of them. */
export const SIDE_STATES = ['rejected', 'recycled', 'disqualified'] as const;
export const SideState = z.enum(SIDE_STATES);
export type SideState = z.infer<typeof SideState>;

export const StageName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'a stage name is lower-case letters, digits or _, starting with a letter');

export const LifecycleConfig = z
  .strictObject({
    stages: z
      .array(StageName)
      .min(2)
      .default([...DEFAULT_STAGES])
      .describe('The shared stages, in order; a stage never moves backwards on its own.'),
    handoffStage: StageName.default('mql').describe(
      'The stage at which a lead that passes the handoff gate is passed to sales (created in Salesforce).',
    ),
    explicitMoves: z
      .array(z.strictObject({ from: z.string(), to: z.string() }))
      .default([])
      .describe(
        'Backward moves a person may make by hand that LeadBridge accepts and records (e.g. {from: sql, to: mql}); any other backward move is refused and recorded.',
      ),
    hubspot: z
      .strictObject({
        lifecyclestage: z
          .record(z.string(), z.string())
          .default({
            subscriber: 'subscriber',
            lead: 'lead',
            mql: 'marketingqualifiedlead',
            sql: 'salesqualifiedlead',
            opportunity: 'opportunity',
            customer: 'customer',
            recycled: 'lead',
            disqualified: 'other',
          })
          .describe('Shared stage or side state -> HubSpot `lifecyclestage` internal value.'),
        leadStatus: z
          .record(z.string(), z.string())
          .default({ rejected: 'UNQUALIFIED', recycled: 'BAD_TIMING' })
          .describe('Shared stage or side state -> HubSpot `hs_lead_status` internal value.'),
      })
      .prefault({}),
    salesforce: z
      .strictObject({
        status: z
          .record(z.string(), z.string())
          .default({
            'Open - Not Contacted': 'mql',
            'Working - Contacted': 'sql',
            'Closed - Converted': 'opportunity',
            'Closed - Not Converted': 'rejected',
          })
          .describe(
            'Salesforce Lead `Status` -> shared stage or side state. When writing, the first status mapped to a stage is used.',
          ),
      })
      .prefault({}),
  })
  .superRefine((lifecycle, ctx) => {
    const known = new Set<string>([...lifecycle.stages, ...SIDE_STATES]);
    if (new Set(lifecycle.stages).size !== lifecycle.stages.length) {
      ctx.addIssue({ code: 'custom', path: ['stages'], message: 'stage names must be unique' });
    }
    if (!lifecycle.stages.includes(lifecycle.handoffStage)) {
      ctx.addIssue({
        code: 'custom',
        path: ['handoffStage'],
        message: `"${lifecycle.handoffStage}" is not one of the stages (${lifecycle.stages.join(', ')})`,
      });
    }
    const checkStages = (record: Record<string, string>, path: string[], stageIsKey: boolean) => {
      for (const [key, value] of Object.entries(record)) {
        const stage = stageIsKey ? key : value;
        if (!known.has(stage)) {
          ctx.addIssue({
            code: 'custom',
            path: stageIsKey ? path : [...path, key],
            message: `"${stage}" is not a stage or side state; use one of ${[...known].join(', ')}`,
          });
        }
      }
    };
    checkStages(lifecycle.hubspot.lifecyclestage, ['hubspot', 'lifecyclestage'], true);
    checkStages(lifecycle.hubspot.leadStatus, ['hubspot', 'leadStatus'], true);
    checkStages(lifecycle.salesforce.status, ['salesforce', 'status'], false);
  });
export type LifecycleConfig = z.infer<typeof LifecycleConfig>;
