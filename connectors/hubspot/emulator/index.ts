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
import { Journal } from './journal.ts';
import { journalRoutes } from './routes-journal.ts';
import { LeadRecords, leadRoutes } from './routes-leads.ts';
import { OAuthTokens, type EmulatedOAuthApp } from './oauth.ts';
import { oauthRoutes } from './routes-oauth.ts';
import { propertyRoutes } from './routes-properties.ts';
import { schemaRoutes } from './routes-schemas.ts';
import { seedContacts } from './seed.ts';
import { ContactStore } from './store.ts';
import { WebhookDeliverer, type WebhookOptions } from './webhook-delivery.ts';
import { webhookSettingsRoutes } from './routes-webhook-settings.ts';

/** App id of the emulated public app when no webhook delivery names one. */
export const DEFAULT_APP_ID = 1;

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
  /** Developer API key the webhooks settings API requires (`hapikey`); default any non-empty one. */
  developerApiKey?: string;
  /** Whether changes made through the API (our own writes) also fire webhooks, as they do in HubSpot. Default true. */
  webhookApiChanges?: boolean;
  /** Initial fault settings (latency, error rates, rate limits...). */
  faults?: FaultSettings;
  /** Keep every API request and response body in `exchanges` (the OpenAPI conformance test). */
  recordExchanges?: boolean;
  /** Clock of the data (createdate, lastmodifieddate), epoch ms; rate limits always use real time. */
  now?: () => number;
  /** The portal's account id, in journal events (default 62515). */
  portalId?: number;
  /**
   * A public app installed in the portal: `POST /oauth/v1/token` issues its access tokens and only the
   * current one works (`token` is then ignored).
   */
  oauth?: EmulatedOAuthApp;
}

export interface HubSpotEmulator {
  url: string;
  port: number;
  store: ContactStore;
  /** The Webhooks Journal over the store's changes (3-day retention). */
  journal: Journal;
  /** Lead records (the Leads object, 0-136), each associated with a contact. */
  leads: LeadRecords;
  /** The portal's users (`/crm/v3/owners`); tests may archive one. */
  owners: EmulatedOwner[];
  faults: Faults;
  /** The public app's tokens, when started with `oauth`. */
  oauth: OAuthTokens | undefined;
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
  const journal = new Journal(clock, options.portalId ?? 62515);
  const leads = new LeadRecords();
  const owners = defaultOwners();
  const faults: Faults = { ...defaultFaults(), ...FaultSettings.parse(options.faults ?? {}) };
  const rateLimits = new RateLimits();
  const calls = new Map<string, Map<number, number>>();
  const exchanges: Exchange[] = [];
  let webhooks: WebhookDeliverer | undefined;
  const oauth = options.oauth ? new OAuthTokens(options.oauth, clock) : undefined;
  const record = (endpoint: string, status: number) => {
    const byStatus = calls.get(endpoint) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    calls.set(endpoint, byStatus);
  };

  // What the webhooks settings API shows: the app and its target URL (set by `webhook`, or by a PUT).
  const webhookApp = {
    appId: options.webhook?.appId ?? DEFAULT_APP_ID,
    targetUrl: options.webhook?.targetUrl,
  };
  const setWebhook = (webhook: WebhookOptions | undefined) => {
    if (webhook) Object.assign(webhookApp, { appId: webhook.appId, targetUrl: webhook.targetUrl });
    webhooks?.close();
    webhooks = webhook ? new WebhookDeliverer(webhook) : undefined;
    if (webhooks) webhooks.down = faults.webhooksDown;
  };
  setWebhook(options.webhook);
  store.onChange = (change) => {
    journal.record(change);
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
    journalFiles: journal.files.length,
  });
  const reset = () => {
    store.reset();
    journal.reset();
    leads.reset();
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
  app.use(oauthRoutes(oauth, record));
  app.use(
    webhookSettingsRoutes({
      app: () => webhookApp,
      propertyNames: () => [...store.properties.keys()],
      developerApiKey: options.developerApiKey,
      now: clock,
    }),
  );
  app.use(
    apiRouter(
      [
        ...contactRoutes(store, () => faults.searchLagMs),
        ...propertyRoutes(store),
        ...schemaRoutes(store),
        ...journalRoutes(journal),
        ...leadRoutes(leads, store),
        ...ownerRoutes(() => owners),
      ],
      {
        faults,
        rateLimits,
        random: prng(seed),
        token: options.token,
        exchanges: options.recordExchanges ? exchanges : undefined,
        now: clock,
        record,
        oauth,
      },
    ),
  );
  // The presigned journal files: no bearer token, like an S3 URL.
  app.get('/__journal-files/:offset', (req, res) => {
    const file = journal.file(String(req.params.offset));
    if (!file) return sendError(res, new EmulatorError(404, 'OBJECT_NOT_FOUND', 'journal file expired'));
    res.json({ offset: file.offset, journalEvents: file.journalEvents, publishedAt: file.publishedAt });
  });
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
    journal,
    leads,
    owners,
    faults,
    oauth,
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
