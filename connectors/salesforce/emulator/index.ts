import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { controlRoutes } from './control-routes.ts';
import { KEY_PREFIX, makeId } from './ids.ts';
import { leadBridgeFieldNames } from './objects.ts';
import { oauthRoutes, type OAuthOptions } from './oauth-routes.ts';
import { OutboundSender, type OutboundOptions } from './outbound-sender.ts';
import { countCalls } from './rest-guard.ts';
import { restRoutes } from './rest-routes.ts';
import { prng } from '../../emulator-support/prng.ts';
import { seedOrg } from './seed.ts';
import { Sessions } from './sessions.ts';
import type { EmulatorState } from './state.ts';
import { OrgStore, type SeededOwners } from './store.ts';
import { ApiUsage } from './usage.ts';
import { DEFAULT_ORG_ID } from './default-org.ts';

export interface SalesforceEmulatorOptions {
  /** TCP port; 0 or omitted picks a free one. */
  port?: number;
  /** Host to bind, default 127.0.0.1. */
  host?: string;
  /** When set, API calls must carry this bearer token (or one the token endpoint issued). */
  token?: string;
  /** Seed of the deterministic data generator (default 1). */
  seed?: number;
  /** Leads created at start (default 0; `POST /__emulator/seed` adds more). */
  seedCount?: number;
  /** The org's id (15 or 18 characters); default a fixed one. */
  orgId?: string;
  /** Daily API allocation (default 100,000). */
  dailyLimit?: number;
  /** Where Outbound Messages go when a lead's status changes through the control routes. */
  outboundMessages?: OutboundOptions;
  oauth?: OAuthOptions;
  /** Start the org without LeadBridge's custom fields, as a real org is before `install` (default false). */
  bare?: boolean;
  /** Clock in epoch milliseconds (tests may move time). */
  now?: () => number;
}

export interface SalesforceEmulator {
  /** Base URL: both the login URL and the instance URL. */
  url: string;
  orgId: string;
  /** The user every API write is attributed to (the "integration user"). */
  integrationUserId: string;
  /** The user control-route edits are attributed to (a sales rep). */
  repUserId: string;
  /** Sales users (active Ana and Ben, inactive Cy) and the "Inbound Leads" queue every org starts with. */
  owners: SeededOwners;
  /** Direct access for tests. */
  state: EmulatorState;
  close(): Promise<void>;
}

export { DEFAULT_ORG_ID };

/**
 * Starts an HTTP server that speaks Salesforce's REST and OAuth wire format for what LeadBridge uses, so
 * the real jsforce works against it unchanged; see the control routes under `/__emulator/`.
 */
export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const now = options.now ?? Date.now;
  let baseUrl = '';
  const store = new OrgStore({
    orgId: options.orgId ?? DEFAULT_ORG_ID,
    now,
    ...(options.bare ? { absentFields: leadBridgeFieldNames() } : {}),
  });
  const seed = options.seed ?? 1;
  const state: EmulatorState = {
    store,
    usage: new ApiUsage(options.dailyLimit ?? 100_000, now),
    sessions: new Sessions({ ...(options.token ? { token: options.token } : {}), now }),
    faults: {},
    tokensSeen: new Set(),
    callsUntilExpiry: undefined,
    locators: new Map(),
    outbound: undefined,
    random: prng(seed ^ 0x5f3759df),
    now,
    baseUrl: () => baseUrl,
    defaultSeed: seed,
    subrequestSecret: randomBytes(16).toString('hex'),
  };
  if (options.outboundMessages)
    state.outbound = new OutboundSender(store, options.outboundMessages, () => baseUrl, now);
  if (options.seedCount) seedOrg(store, { count: options.seedCount, seed, now: now() });

  const app = express();
  app.disable('x-powered-by');
  app.use(controlRoutes(state));
  app.use(countCalls(state));
  app.use(oauthRoutes(state, options.oauth ?? {}));
  app.use(restRoutes(state));
  app.use((_req, res) => {
    res.status(404).json([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url: baseUrl,
    orgId: store.orgId,
    integrationUserId: store.integrationUserId,
    repUserId: store.repUserId,
    owners: store.owners,
    state,
    async close() {
      state.outbound?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export { makeId, KEY_PREFIX };
export { buildOutboundEnvelope } from './outbound-envelope.ts';
