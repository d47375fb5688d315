import type { Server } from 'node:http';
import express from 'express';
import type { Exchange } from './api-router.ts';
import { apiRouter } from './api-router.ts';
import { controlRoutes } from './control-routes.ts';
import { EmulatorError, sendError } from './errors.ts';
import { prng } from '../../emulator-support/prng.ts';
import { defaultFaults, FaultSettings, RateLimits, type Faults } from './faults.ts';
import { defaultOwners, ownerRoutes, type EmulatedOwner } from './owners.ts';
import { contactRoutes } from './routes-contacts.ts';
import { propertyRoutes } from './routes-properties.ts';
import { seedContacts } from './seed.ts';
import { ContactStore } from './store.ts';
import { WebhookDeliverer, type WebhookOptions } from './webhook-delivery.ts';

export type { Exchange } from './api-router.ts';
export type { WebhookOptions } from './webhook-delivery.ts';

export interface HubSpotEmulatorOptions {
  /** Port to listen on; 0 or unset picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Bearer token required on API calls; unset accepts any non-empty one. */
  token?: string;
  /** Seed of the generated data and injected faults; the same seed gives the same contacts. */
  seed?: number;
  /** Contacts to seed at start. */
  contacts?: number;
  /** Signed webhook deliveries of changes (as HubSpot's app webhooks). */
  webhook?: WebhookOptions;
  /** Whether changes made through the API (our own writes) also fire webhooks, as they do in HubSpot. Default true. */
  webhookApiChanges?: boolean;
  /** Initial fault settings (latency, error rates, rate limits...). */
  faults?: FaultSettings;
  /** Keep every API request and response body in `exchanges` (the OpenAPI conformance test). */
  recordExchanges?: boolean;
  /** Clock of the data (createdate, lastmodifieddate), epoch ms; rate limits always use real time. */
  now?: () => number;
}

export interface HubSpotEmulator {
  url: string;
  port: number;
  store: ContactStore;
  /** The portal's users (`/crm/v3/owners`); tests may archive one. */
  owners: EmulatedOwner[];
  faults: Faults;
  /** Recorded exchanges when `recordExchanges` is on. */
  exchanges: Exchange[];
  /** API calls by `METHOD /path/template` and status. */
  calls: Map<string, Map<number, number>>;
  webhooks: WebhookDeliverer | undefined;
  /** (Re)points webhook delivery, e.g. once the receiving server's port is known. */
  setWebhook(options: WebhookOptions | undefined): void;
  stats(): Record<string, unknown>;
  reset(): void;
  close(): Promise<void>;
}

/** Starts an HTTP server that speaks HubSpot's contacts and properties API for `@hubspot/api-client`. */
export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const clock = options.now ?? Date.now;
  const seed = options.seed ?? 1;
  const store = new ContactStore(clock);
  const owners = defaultOwners();
  const faults: Faults = { ...defaultFaults(), ...FaultSettings.parse(options.faults ?? {}) };
  const rateLimits = new RateLimits();
  const calls = new Map<string, Map<number, number>>();
  const exchanges: Exchange[] = [];
  let webhooks: WebhookDeliverer | undefined;

  const setWebhook = (webhook: WebhookOptions | undefined) => {
    webhooks?.close();
    webhooks = webhook ? new WebhookDeliverer(webhook) : undefined;
    if (webhooks) webhooks.down = faults.webhooksDown;
  };
  setWebhook(options.webhook);
  store.onChange = (change) => {
    if (change.source === 'INTEGRATION' && options.webhookApiChanges === false) return;
    webhooks?.enqueue(change);
  };

  const stats = () => ({
    calls: Object.fromEntries(
      [...calls].map(([endpoint, byStatus]) => [endpoint, Object.fromEntries(byStatus)]),
    ),
    totalCalls: [...calls.values()].reduce(
      (sum, byStatus) => sum + [...byStatus.values()].reduce((a, b) => a + b, 0),
      0,
    ),
    contacts: [...store.contacts.values()].filter((contact) => !contact.archived).length,
    webhooks: webhooks?.stats ?? null,
  });
  const reset = () => {
    store.reset();
    owners.splice(0, owners.length, ...defaultOwners());
    rateLimits.reset();
    calls.clear();
    exchanges.length = 0;
    Object.assign(faults, defaultFaults());
    if (webhooks) webhooks.down = false;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(
    controlRoutes({
      store,
      faults,
      seed,
      webhooks: () => webhooks,
      stats,
      reset,
      resetRateLimits: () => rateLimits.reset(),
    }),
  );
  app.use(
    apiRouter(
      [
        ...contactRoutes(store, () => faults.searchLagMs),
        ...propertyRoutes(store),
        ...ownerRoutes(() => owners),
      ],
      {
        faults,
        rateLimits,
        random: prng(seed),
        token: options.token,
        exchanges: options.recordExchanges ? exchanges : undefined,
        record: (endpoint, status) => {
          const byStatus = calls.get(endpoint) ?? new Map<number, number>();
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          calls.set(endpoint, byStatus);
        },
      },
    ),
  );
  app.use((req, res) =>
    sendError(res, new EmulatorError(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`)),
  );
  app.use(
    (
      err: { status?: number; type?: string; message?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      sendError(
        res,
        new EmulatorError(
          err.status && err.status < 500 ? err.status : 400,
          'VALIDATION_ERROR',
          `Invalid input JSON: ${err.message ?? err.type}`,
        ),
      );
    },
  );

  if (options.contacts) seedContacts(store, options.contacts, seed);

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    owners,
    faults,
    exchanges,
    calls,
    get webhooks() {
      return webhooks;
    },
    setWebhook,
    stats,
    reset,
    async close() {
      webhooks?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
