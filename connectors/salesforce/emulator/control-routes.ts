import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { Faults } from './faults.ts';
import { seedOrg } from './seed.ts';
import type { EmulatorState } from './state.ts';
import { MergeError } from './store.ts';
import { RequestError, validateValues } from './validation.ts';

const SeedBody = z.strictObject({
  count: z.number().int().min(0).max(100_000),
  seed: z.number().int().optional(),
});
const EditBody = z.strictObject({
  Status: z.string().optional(),
  Rejection_Reason__c: z.string().nullable().optional(),
  /** Any other Lead fields the rep changes. */
  fields: z.record(z.string(), z.unknown()).optional(),
  /** The edit belongs to a transaction that started this long ago and commits only now (ms). */
  lateCommitMs: z.number().int().positive().optional(),
});
const ConvertBody = z.strictObject({ createOpportunity: z.boolean().default(true) });
const CloseBody = z.strictObject({ won: z.boolean() });
const CreateBody = z.strictObject({ fields: z.record(z.string(), z.unknown()) });
const MergeBody = z.strictObject({
  masterId: z.string().min(15),
  mergedIds: z.array(z.string().min(15)).min(1),
});
const AssignmentRuleBody = z.strictObject({
  entries: z
    .array(z.strictObject({ field: z.string(), equals: z.string(), ownerId: z.string() }))
    .default([]),
  defaultOwnerId: z.string(),
});
const UserBody = z.strictObject({
  IsActive: z.boolean().optional(),
  Out_Of_Office__c: z.boolean().optional(),
});

/**
 * `/__emulator/...`: controls for tests and demos, and stand-ins for a person working in Salesforce's
 * UI (edit a lead's status and rejection reason, convert it, win or lose the deal). These calls do not
 * count against the API allocation and need no token.
 */
export function controlRoutes(state: EmulatorState): Router {
  const router = Router();
  const { store } = state;
  router.use('/__emulator', express.json({ limit: '1mb' }));
  const rep = (lateCommitMs?: number) => ({
    userId: store.repUserId,
    ...(lateCommitMs ? { stampAt: state.now() - lateCommitMs } : {}),
  });
  const handle = (res: Response, run: () => unknown) => {
    try {
      res.json(run() ?? { ok: true });
    } catch (err) {
      const status = err instanceof z.ZodError || err instanceof RequestError ? 400 : 404;
      res
        .status(status)
        .json({ error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message });
    }
  };

  router.post('/__emulator/reset', (_req, res) =>
    handle(res, () => {
      store.reset();
      state.usage.reset();
      state.sessions.reset();
      state.tokensSeen.clear();
      state.locators.clear();
      state.callsUntilExpiry = undefined;
      for (const key of Object.keys(state.faults)) delete state.faults[key as keyof Faults];
      state.outbound?.reset();
      return { ok: true };
    }),
  );
  /** The org's active Lead assignment rule (used on creates with `Sforce-Auto-Assign: TRUE`). */
  router.post('/__emulator/assignment-rule', (req, res) =>
    handle(res, () => {
      store.assignmentRule = AssignmentRuleBody.parse(req.body ?? {});
      return store.assignmentRule;
    }),
  );
  /** An admin deactivates a user or a rep marks themselves out of office. */
  router.post('/__emulator/users/:id', (req, res) =>
    handle(res, () => {
      const user = store.get('User', String(req.params.id));
      if (!user) throw new Error(`no user ${String(req.params.id)}`);
      store.applyChange('User', user, UserBody.parse(req.body ?? {}), { userId: store.integrationUserId });
      return user;
    }),
  );
  router.post('/__emulator/seed', (req, res) =>
    handle(res, () => {
      const body = SeedBody.parse(req.body ?? {});
      const ids = seedOrg(store, {
        count: body.count,
        seed: body.seed ?? state.defaultSeed,
        now: state.now(),
      });
      return { created: ids.length, ids };
    }),
  );
  router.get('/__emulator/stats', (_req, res) =>
    handle(res, () => ({
      ...state.usage.stats(),
      apiUsage: { used: state.usage.used(), limit: state.usage.limit },
      records: Object.fromEntries(
        ['Lead', 'Contact', 'Account', 'Opportunity'].map((type) => [
          type,
          store.rows(type).filter((r) => !r.IsDeleted).length,
        ]),
      ),
      outbound: state.outbound ? { ...state.outbound.stats, pending: state.outbound.pendingCount } : null,
    })),
  );
  router.get('/__emulator/faults', (_req, res) => handle(res, () => state.faults));
  router.post('/__emulator/faults', (req, res) =>
    handle(res, () => {
      const faults = Faults.parse(req.body ?? {});
      if (faults.dailyLimit !== undefined) state.usage.limit = faults.dailyLimit;
      if (faults.apiUsed !== undefined) state.usage.setUsed(faults.apiUsed);
      if (faults.expireSessions) state.sessions.expireAll(state.tokensSeen);
      if (faults.expireSessionsAfterCalls !== undefined)
        state.callsUntilExpiry = faults.expireSessionsAfterCalls;
      if (faults.sessionTtlMs !== undefined) state.sessions.ttlMs = faults.sessionTtlMs;
      const { expireSessions: _e, expireSessionsAfterCalls: _a, apiUsed: _u, ...lasting } = faults;
      Object.assign(state.faults, lasting);
      return state.faults;
    }),
  );

  router.post('/__emulator/leads', (req, res) =>
    handle(res, () => {
      const outcome = store.insert('Lead', CreateBody.parse(req.body ?? {}).fields, rep());
      if (!outcome.success)
        throw new RequestError(outcome.errors[0]?.statusCode ?? 'ERROR', JSON.stringify(outcome.errors));
      return { id: outcome.id };
    }),
  );
  router.post('/__emulator/leads/:id/edit', (req, res) =>
    handle(res, () => {
      const body = EditBody.parse(req.body ?? {});
      const lead = store.get('Lead', String(req.params.id));
      if (!lead || lead.IsDeleted) throw new Error(`no lead ${String(req.params.id)}`);
      if (lead.IsConverted)
        throw new RequestError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot edit a converted lead');
      const input = {
        ...body.fields,
        ...(body.Status !== undefined ? { Status: body.Status } : {}),
        ...(body.Rejection_Reason__c !== undefined ? { Rejection_Reason__c: body.Rejection_Reason__c } : {}),
      };
      const { values, errors } = validateValues('Lead', input, 'update', {
        current: lead,
        leadStatuses: store.leadStatuses(),
        absentFields: store.absentFields,
      });
      if (errors.length > 0)
        throw new RequestError(errors[0]?.statusCode ?? 'ERROR', errors.map((e) => e.message).join('; '));
      const statusChanged = values.Status !== undefined && values.Status !== lead.Status;
      store.applyChange('Lead', lead, values, rep(body.lateCommitMs));
      const notificationId = statusChanged ? state.outbound?.notify(String(lead.Id)) : undefined;
      return { lead, ...(notificationId ? { notificationId } : {}) };
    }),
  );
  router.post('/__emulator/leads/:id/convert', (req, res) =>
    handle(res, () => {
      const body = ConvertBody.parse(req.body ?? {});
      const result = store.convertLead(String(req.params.id), {
        createOpportunity: body.createOpportunity,
        context: rep(),
      });
      const notificationId = state.outbound?.notify(String(req.params.id));
      return { ...result, ...(notificationId ? { notificationId } : {}) };
    }),
  );
  // A person merging duplicate Leads in the UI (Salesforce's merge: the others deleted, MasterRecordId set).
  router.post('/__emulator/leads/merge', (req, res) =>
    handle(res, () => {
      const body = MergeBody.parse(req.body ?? {});
      try {
        const result = store.mergeLeads(body.masterId, body.mergedIds, rep());
        const notificationId = state.outbound?.notify(result.masterId);
        return { ...result, ...(notificationId ? { notificationId } : {}) };
      } catch (err) {
        if (err instanceof MergeError) throw new RequestError(err.statusCode, err.message);
        throw err;
      }
    }),
  );
  router.post('/__emulator/leads/:id/delete', (req, res) =>
    handle(res, () => {
      if (!store.delete('Lead', String(req.params.id), rep()))
        throw new Error(`no lead ${String(req.params.id)}`);
      return { ok: true };
    }),
  );
  router.post('/__emulator/opportunities/:id/close', (req, res) =>
    handle(res, () =>
      store.closeOpportunity(String(req.params.id), CloseBody.parse(req.body ?? {}).won, rep()),
    ),
  );
  router.get('/__emulator/records/:type/:id', (req, res) =>
    handle(res, () => {
      const row = store.get(String(req.params.type), String(req.params.id));
      if (!row) throw new Error(`no ${String(req.params.type)} ${String(req.params.id)}`);
      return row;
    }),
  );
  router.post('/__emulator/outbound/flush', async (_req, res) => {
    const acked = state.outbound ? await state.outbound.flush() : false;
    res.json({ acked, pending: state.outbound?.pendingCount ?? 0 });
  });
  return router;
}
