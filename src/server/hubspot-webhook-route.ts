import express, {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { HUBSPOT_SIGNATURE_HEADERS, hubspotWebhookIntake } from '../../connectors/hubspot/webhook.ts';
import { WEBHOOK_MAX_BODY_BYTES } from '../../connectors/hubspot/limits.ts';
import { IngestCoalescer, type IngestCoalescerOptions } from '../../jobs/ingest-coalescer.ts';
import type { AppDeps } from './app.ts';

// https://developers.hubspot.com/docs/api/webhooks: any non-2xx (or no answer in 5 s) makes HubSpot
// retry the batch up to 10 times over 24 hours, so whatever we can accept we acknowledge at once,
// and we refuse only what must never be processed.

export type HubSpotWebhookDeps = Pick<
  AppDeps,
  'config' | 'ingestQueue' | 'metrics' | 'logger' | 'publicUrl' | 'now'
> & {
  /** How concurrent requests share `addBulk` calls (tests set it; defaults suit production). */
  coalescing?: IngestCoalescerOptions;
};

export const HUBSPOT_WEBHOOK_PATH = '/webhooks/hubspot';

/** The URI HubSpot signed: the configured public base URL (behind a proxy) or this request's own. */
export function publicRequestUri(req: Request, publicUrl: string | undefined): string {
  const base = publicUrl
    ? publicUrl.replace(/\/+$/, '')
    : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return base + req.originalUrl;
}

/** `POST /webhooks/hubspot`: read the raw bytes, let the connector verify and translate, enqueue in bulk, answer. */
export function hubspotWebhookRoutes(deps: HubSpotWebhookDeps): Router {
  const router = Router();
  const intake = hubspotWebhookIntake(deps.config.tenants);
  // Requests that arrive together share one addBulk (one Redis round trip) instead of one each.
  const ingest = new IngestCoalescer(deps.ingestQueue, deps.coalescing);
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
    if (!HUBSPOT_SIGNATURE_HEADERS.some((name) => req.get(name) !== undefined))
      return refuse(res, 401, 'rejected_signature', 'invalid or stale signature', 'no_signature');
    next();
  };

  router.post(
    HUBSPOT_WEBHOOK_PATH,
    preflight,
    express.raw({ type: () => true, limit: WEBHOOK_MAX_BODY_BYTES }),
    async (req, res) => {
      const result = intake({
        headers: req.headers,
        method: req.method,
        uri: publicRequestUri(req, deps.publicUrl),
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        now: (deps.now?.() ?? new Date()).getTime(),
      });
      if (!result.ok)
        return result.status === 401
          ? refuse(res, 401, result.outcome, 'invalid or stale signature', result.reason)
          : refuse(res, 400, result.outcome, result.message, result.detail);

      try {
        await ingest.add(result.events);
      } catch (err) {
        // Nothing acknowledged, so HubSpot redelivers; the deterministic job ids make that harmless.
        deps.logger.error({ err }, 'hubspot webhook: enqueue failed');
        count('enqueue_failed', result.received);
        return res.status(503).json({ status: 'error', message: 'could not enqueue; retry later' });
      }
      count('enqueued', result.events.length);
      count('ignored', result.ignored);
      count('collapsed', result.collapsed);
      count('unknown_portal', result.unknownPortal);
      if (result.unknownPortal > 0)
        deps.logger.warn(
          { portals: result.unclaimedPortals, events: result.unknownPortal },
          'hubspot webhook: events for a portal no tenant claims',
        );
      // Written directly rather than by res.json: HubSpot never revalidates a POST answer, so express's
      // ETag (a hash of the body) and freshness check are work on every delivery for nothing.
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          status: 'ok',
          received: result.received,
          enqueued: result.events.length,
          ignored: result.ignored,
          collapsed: result.collapsed,
          unknownPortal: result.unknownPortal,
        }),
      );
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
