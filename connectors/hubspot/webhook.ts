import express, {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { IngestCoalescer } from '../../jobs/ingest-coalescer.ts';
import type { TenantConfig } from '../../src/config/tenant-schema.ts';
import type { AppDeps } from '../../src/server/app.ts';
import { WEBHOOK_MAX_BODY_BYTES } from './limits.ts';
import type { HubSpotWebhookEvent } from './schemas.ts';
import { parseWebhookBatch } from './webhook-batch.ts';
import {
  verifySignature,
  type SignatureFailure,
  type SignatureVersion,
  type VerifyOptions,
} from './signature.ts';
import { toChangeEvents } from './webhook-events.ts';

// https://developers.hubspot.com/docs/api/webhooks: any non-2xx (or no answer in 5 s) makes HubSpot
// retry the batch up to 10 times over 24 hours, so whatever we can accept we acknowledge at once,
// and we refuse only what must never be processed.

export type HubSpotWebhookDeps = Pick<
  AppDeps,
  'config' | 'ingestQueue' | 'metrics' | 'logger' | 'publicUrl' | 'now'
>;

export const HUBSPOT_WEBHOOK_PATH = '/webhooks/hubspot';

/** v3, and v1/v2 (`X-HubSpot-Signature` with `X-HubSpot-Signature-Version`). */
const SIGNATURE_HEADERS = ['x-hubspot-signature-v3', 'x-hubspot-signature'];

interface SecretGroup {
  secret: string;
  versions: Set<SignatureVersion>;
  tenants: TenantConfig[];
}

function secretGroups(tenants: TenantConfig[]): SecretGroup[] {
  const groups = new Map<string, SecretGroup>();
  for (const tenant of tenants) {
    const secret = tenant.hubspot.clientSecret;
    if (!secret) continue;
    const group = groups.get(secret) ?? { secret, versions: new Set(), tenants: [] };
    tenant.hubspot.signatureVersions.forEach((version) => group.versions.add(version));
    group.tenants.push(tenant);
    groups.set(secret, group);
  }
  return [...groups.values()];
}

/**
 * Checks the request against each app secret with the versions its own tenants accept: HubSpot sends
 * v3 beside v1, so a v1-only app must be judged by its v1 header even when another app takes v3.
 */
function verifyForGroups(
  groups: SecretGroup[],
  request: Omit<VerifyOptions, 'secrets' | 'versions'>,
): { ok: true; group: SecretGroup } | { ok: false; reason: SignatureFailure } {
  let reason: SignatureFailure = 'no_secret';
  for (const group of groups) {
    const check = verifySignature({ ...request, secrets: [group.secret], versions: [...group.versions] });
    if (check.ok) return { ok: true, group };
    reason = check.reason;
  }
  return { ok: false, reason };
}

/** The URI HubSpot signed: the configured public base URL (behind a proxy) or this request's own. */
export function publicRequestUri(req: Request, publicUrl: string | undefined): string {
  const base = publicUrl
    ? publicUrl.replace(/\/+$/, '')
    : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return base + req.originalUrl;
}

/**
 * Which tenant owns a portal: the one whose `hubspot.portalId` matches; failing that, a tenant that
 * names no portal, when it is the only such tenant (a single-tenant install that has not set portalId).
 */
function tenantResolver(
  all: TenantConfig[],
  group: SecretGroup,
): (portalId: number) => TenantConfig | undefined {
  const unnamed = all.filter((tenant) => tenant.hubspot.portalId === undefined);
  const fallback =
    unnamed.length === 1 && group.tenants.includes(unnamed[0] as TenantConfig) ? unnamed[0] : undefined;
  const claimed = new Set(all.map((tenant) => tenant.hubspot.portalId));
  return (portalId) =>
    claimed.has(portalId) ? group.tenants.find((tenant) => tenant.hubspot.portalId === portalId) : fallback;
}

/** `POST /webhooks/hubspot`: verify over the raw bytes, validate, translate, enqueue in bulk, answer. */
export function hubspotWebhookRoutes(deps: HubSpotWebhookDeps): Router {
  const router = Router();
  const groups = secretGroups(deps.config.tenants);
  const tenantOfByGroup = new Map(groups.map((group) => [group, tenantResolver(deps.config.tenants, group)]));
  // Requests that arrive together share one addBulk (one Redis round trip) instead of one each.
  const ingest = new IngestCoalescer(deps.ingestQueue);
  const count = (outcome: string, n = 1) => {
    if (n > 0) deps.metrics.webhookEvents.inc({ system: 'hubspot', outcome }, n);
  };
  const refuse = (res: Response, status: number, outcome: string, message: string, detail?: unknown) => {
    count(outcome);
    deps.logger.warn({ status, outcome, detail }, `hubspot webhook refused: ${message}`);
    res.status(status).json({ status: 'error', message });
  };

  // Cheapest checks before the body is read: HubSpot always sends JSON and always signs.
  const preflight: RequestHandler = (req, res, next) => {
    if (!req.is('application/json'))
      return refuse(res, 415, 'rejected_content_type', 'expected application/json');
    if (!SIGNATURE_HEADERS.some((name) => req.get(name) !== undefined))
      return refuse(res, 401, 'rejected_signature', 'invalid or stale signature', 'no_signature');
    next();
  };

  router.post(
    HUBSPOT_WEBHOOK_PATH,
    preflight,
    express.raw({ type: () => true, limit: WEBHOOK_MAX_BODY_BYTES }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verified = verifyForGroups(groups, {
        headers: req.headers,
        method: req.method,
        uri: publicRequestUri(req, deps.publicUrl),
        rawBody,
        now: (deps.now?.() ?? new Date()).getTime(),
      });
      if (!verified.ok)
        return refuse(res, 401, 'rejected_signature', 'invalid or stale signature', verified.reason);
      const group = verified.group;

      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return refuse(res, 400, 'rejected_malformed', 'body is not JSON');
      }
      const parsed = parseWebhookBatch(json);
      if (!parsed.success)
        return refuse(
          res,
          400,
          'rejected_malformed',
          'body is not a HubSpot event array',
          parsed.error.issues.slice(0, 5),
        );

      const tenantOf = tenantOfByGroup.get(group) as (portalId: number) => TenantConfig | undefined;
      const byTenant = new Map<string, HubSpotWebhookEvent[]>();
      const unclaimed = new Set<number>();
      let unknownPortal = 0;
      for (const event of parsed.data) {
        const tenant = tenantOf(event.portalId);
        if (!tenant) {
          unknownPortal++;
          unclaimed.add(event.portalId);
          continue;
        }
        const events = byTenant.get(tenant.id);
        if (events) events.push(event);
        else byTenant.set(tenant.id, [event]);
      }
      const translated = [...byTenant].map(([tenant, events]) => toChangeEvents(tenant, events));
      const changeEvents = translated.flatMap((batch) => batch.events);
      try {
        await ingest.add(changeEvents);
      } catch (err) {
        // Nothing acknowledged, so HubSpot redelivers; the deterministic job ids make that harmless.
        deps.logger.error({ err }, 'hubspot webhook: enqueue failed');
        count('enqueue_failed', parsed.data.length);
        return res.status(503).json({ status: 'error', message: 'could not enqueue; retry later' });
      }
      const ignored = translated.reduce((sum, batch) => sum + batch.ignored, 0);
      const collapsed = translated.reduce((sum, batch) => sum + batch.collapsed, 0);
      count('enqueued', changeEvents.length);
      count('ignored', ignored);
      count('collapsed', collapsed);
      count('unknown_portal', unknownPortal);
      if (unknownPortal > 0)
        deps.logger.warn(
          { portals: [...unclaimed], events: unknownPortal },
          'hubspot webhook: events for a portal no tenant claims',
        );
      res.status(200).json({
        status: 'ok',
        received: parsed.data.length,
        enqueued: changeEvents.length,
        ignored,
        collapsed,
        unknownPortal,
      });
    },
  );

  const bodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large') return refuse(res, 413, 'rejected_too_large', 'body too large');
    if (err.status && err.status >= 400 && err.status < 500)
      return refuse(res, 400, 'rejected_malformed', 'unreadable body', err.type);
    next(err);
  };
  router.use(HUBSPOT_WEBHOOK_PATH, bodyErrors);
  return router;
}
