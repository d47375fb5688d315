import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { EmulatorError, sendError } from './errors.ts';
import { FaultSettings, type Faults } from './faults.ts';
import { seedContacts } from './seed.ts';
import type { ContactStore, StoredContact } from './store.ts';
import type { WebhookDeliverer } from './webhook-delivery.ts';

/** What the control routes act on; kept apart from the API so tests and the CLI can share it. */
export interface ControlContext {
  store: ContactStore;
  faults: Faults;
  seed: number;
  webhooks(): WebhookDeliverer | undefined;
  stats(): Record<string, unknown>;
  reset(): void;
  /** Restarts the rate-limit windows (after the limits change). */
  resetRateLimits(): void;
}

const Properties = z.record(z.string(), z.string());

function handle(fn: (req: Request) => unknown | Promise<unknown>) {
  return async (req: Request, res: Response) => {
    try {
      const body = await fn(req);
      res.status(200).json(body ?? { status: 'ok' });
    } catch (err) {
      if (err instanceof z.ZodError)
        return sendError(res, new EmulatorError(400, 'VALIDATION_ERROR', z.prettifyError(err)));
      sendError(
        res,
        err instanceof EmulatorError ? err : new EmulatorError(500, 'INTERNAL_ERROR', (err as Error).message),
      );
    }
  };
}

function contactOr404(store: ContactStore, id: string): StoredContact {
  const contact = store.find(id);
  if (!contact) throw new EmulatorError(404, 'OBJECT_NOT_FOUND', `contact ${id} not found`);
  return contact;
}

/**
 * `/__emulator/*`: reset, seed, stats, faults, and stand-ins for a person working in HubSpot's UI
 * (create, edit, delete, restore, merge, GDPR-delete a contact, a bulk update by a workflow). UI changes
 * fire webhooks with changeSource CRM_UI and may move lifecyclestage backwards, as people can.
 */
export function controlRoutes(context: ControlContext): Router {
  const router = Router();
  const { store } = context;
  router.use('/__emulator', express.json({ limit: '10mb' }));

  router.post(
    '/__emulator/reset',
    handle(() => context.reset()),
  );
  router.post(
    '/__emulator/seed',
    handle((req) => {
      const body = z
        .object({ count: z.number().int().min(1).max(1_000_000), seed: z.number().int().optional() })
        .parse(req.body ?? {});
      const ids = seedContacts(store, body.count, body.seed ?? context.seed);
      return { created: ids.length, firstId: ids[0], lastId: ids.at(-1), total: store.size };
    }),
  );
  router.get(
    '/__emulator/stats',
    handle(() => context.stats()),
  );
  router.get(
    '/__emulator/faults',
    handle(() => context.faults),
  );
  router.post(
    '/__emulator/faults',
    handle((req) => {
      const settings = FaultSettings.parse(req.body ?? {});
      Object.assign(context.faults, settings);
      if (
        settings.burstPer10s !== undefined ||
        settings.searchPerSecond !== undefined ||
        settings.dailyLimit !== undefined
      )
        context.resetRateLimits();
      const webhooks = context.webhooks();
      if (webhooks) webhooks.down = context.faults.webhooksDown;
      return context.faults;
    }),
  );

  router.put(
    '/__emulator/required-properties',
    handle((req) => {
      // What an admin sets under Settings > Objects > Contacts > "required properties" for record creation.
      const body = z.object({ properties: z.array(z.string().min(1)) }).parse(req.body ?? {});
      store.requiredProperties.clear();
      for (const name of body.properties) store.requiredProperties.add(name);
      return { properties: [...store.requiredProperties] };
    }),
  );
  router.get(
    '/__emulator/contacts/:id',
    handle((req) => {
      const contact = store.contacts.get(String(req.params.id)) ?? contactOr404(store, String(req.params.id));
      return contact;
    }),
  );
  router.post(
    '/__emulator/contacts',
    handle((req) => {
      const properties = Properties.parse(
        (req.body as { properties?: unknown } | undefined)?.properties ?? {},
      );
      store.validate(properties, undefined, false);
      return store.create(properties, 'CRM_UI');
    }),
  );
  router.patch(
    '/__emulator/contacts/:id',
    handle((req) => {
      const contact = contactOr404(store, String(req.params.id));
      const properties = Properties.parse(
        (req.body as { properties?: unknown } | undefined)?.properties ?? {},
      );
      store.validate(properties, contact, false);
      store.update(contact, properties, 'CRM_UI');
      return contact;
    }),
  );
  router.delete(
    '/__emulator/contacts/:id',
    handle((req) => store.archive(contactOr404(store, String(req.params.id)), 'CRM_UI')),
  );
  router.post(
    '/__emulator/contacts/:id/restore',
    handle((req) => {
      const contact = store.restore(String(req.params.id), 'CRM_UI');
      if (!contact)
        throw new EmulatorError(404, 'OBJECT_NOT_FOUND', `no deleted contact ${String(req.params.id)}`);
      return contact;
    }),
  );
  router.post(
    '/__emulator/contacts/:id/gdpr-delete',
    handle((req) => store.purge(contactOr404(store, String(req.params.id)), 'CRM_UI')),
  );
  router.post(
    '/__emulator/contacts/merge',
    handle((req) => {
      const body = z.object({ primaryId: z.string(), mergedId: z.string() }).parse(req.body ?? {});
      if (body.primaryId === body.mergedId)
        throw new EmulatorError(400, 'VALIDATION_ERROR', 'cannot merge a contact into itself');
      return store.merge(contactOr404(store, body.primaryId), contactOr404(store, body.mergedId), 'CRM_UI');
    }),
  );
  router.post(
    '/__emulator/mass-update',
    handle((req) => {
      // A workflow or import touching many contacts at one instant: they all share one lastmodifieddate.
      const body = z
        .object({
          properties: Properties,
          limit: z.number().int().positive().optional(),
          notify: z.boolean().default(true),
        })
        .parse(req.body ?? {});
      store.validate(body.properties, undefined, false);
      const at = store.clock();
      const listener = store.onChange;
      if (!body.notify) store.onChange = () => {};
      let updated = 0;
      try {
        for (const contact of store.contacts.values()) {
          if (contact.archived) continue;
          if (body.limit !== undefined && updated >= body.limit) break;
          const changed = store.update(contact, body.properties, 'IMPORT', at);
          if (changed.length === 0) {
            contact.updatedAt = at;
            contact.properties.lastmodifieddate = new Date(at).toISOString();
          }
          updated++;
        }
      } finally {
        store.onChange = listener;
      }
      return { updated, lastmodifieddate: new Date(at).toISOString() };
    }),
  );
  router.get(
    '/__emulator/webhooks',
    handle(() => context.webhooks()?.stats ?? { configured: false }),
  );
  router.post(
    '/__emulator/webhooks/flush',
    handle(async () => {
      const webhooks = context.webhooks();
      await webhooks?.flush();
      return webhooks?.stats ?? { configured: false };
    }),
  );
  return router;
}
