import express, { Router, type Request, type Response } from 'express';

// The legacy public app's webhooks API, authenticated with the developer API key (`hapikey`):
// GET/PUT /webhooks/v3/{appId}/settings, GET/POST /webhooks/v3/{appId}/subscriptions, DELETE .../{id}.
// https://developers.hubspot.com/docs/api/webhooks (Manage settings / subscriptions via API)

/** What the emulated app's webhooks are set up with. */
export interface WebhookAppSettings {
  appId: number;
  /** Where HubSpot sends the batches; undefined until set (no delivery configured). */
  targetUrl: string | undefined;
}

interface Subscription {
  id: number;
  subscriptionType: string;
  propertyName?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Every contact event LeadBridge handles, plus a property change per property of the portal. */
const EVENT_TYPES = [
  'contact.creation',
  'contact.deletion',
  'contact.merge',
  'contact.restore',
  'contact.privacyDeletion',
];

function hubspotError(res: Response, status: number, category: string, message: string) {
  res
    .status(status)
    .json({ status: 'error', message, correlationId: '00000000-0000-4000-8000-000000000000', category });
}

/**
 * The webhook settings and subscriptions of the emulated app. By default they are what an app set up
 * for LeadBridge has: the delivery target and every contact event, property changes of every property
 * the portal had at start. The API key is any non-empty `hapikey` unless `developerApiKey` is set.
 */
export function webhookSettingsRoutes(options: {
  app: () => WebhookAppSettings;
  /** Contact property names of the portal, for the default propertyChange subscriptions. */
  propertyNames: () => string[];
  developerApiKey?: string | undefined;
  now: () => number;
}): Router {
  const router = Router();
  let subscriptions: Subscription[] | undefined;
  let nextId = 1;
  const iso = () => new Date(options.now()).toISOString();
  const list = (): Subscription[] =>
    (subscriptions ??= [
      ...EVENT_TYPES.map((subscriptionType) => ({ subscriptionType })),
      ...options
        .propertyNames()
        .map((propertyName) => ({ subscriptionType: 'contact.propertyChange', propertyName })),
    ].map((sub): Subscription => ({
      id: nextId++,
      ...sub,
      active: true,
      createdAt: iso(),
      updatedAt: iso(),
    })));

  const guard = (req: Request, res: Response): boolean => {
    const key = typeof req.query.hapikey === 'string' ? req.query.hapikey : '';
    if (!key || (options.developerApiKey && key !== options.developerApiKey)) {
      hubspotError(res, 401, 'INVALID_AUTHENTICATION', 'The API key provided is invalid.');
      return false;
    }
    if (String(options.app().appId) !== req.params.appId) {
      hubspotError(
        res,
        404,
        'OBJECT_NOT_FOUND',
        `No app ${String(req.params.appId)} for this developer account.`,
      );
      return false;
    }
    return true;
  };

  router.get('/webhooks/v3/:appId/settings', (req, res) => {
    if (!guard(req, res)) return;
    const { targetUrl } = options.app();
    if (!targetUrl) return hubspotError(res, 404, 'OBJECT_NOT_FOUND', 'No webhook settings for this app.');
    res.json({
      targetUrl,
      throttling: { maxConcurrentRequests: 10, period: 'SECONDLY' },
      createdAt: iso(),
      updatedAt: iso(),
    });
  });
  router.put('/webhooks/v3/:appId/settings', express.json(), (req, res) => {
    if (!guard(req, res)) return;
    const targetUrl = (req.body as { targetUrl?: unknown } | undefined)?.targetUrl;
    if (typeof targetUrl !== 'string' || !/^https?:\/\//.test(targetUrl))
      return hubspotError(res, 400, 'VALIDATION_ERROR', 'targetUrl must be an http(s) URL');
    options.app().targetUrl = targetUrl;
    res.json({ targetUrl, throttling: { maxConcurrentRequests: 10, period: 'SECONDLY' }, updatedAt: iso() });
  });
  router.get('/webhooks/v3/:appId/subscriptions', (req, res) => {
    if (!guard(req, res)) return;
    res.json({ results: list() });
  });
  router.post('/webhooks/v3/:appId/subscriptions', express.json(), (req, res) => {
    if (!guard(req, res)) return;
    const body = (req.body ?? {}) as { eventType?: unknown; propertyName?: unknown; active?: unknown };
    if (typeof body.eventType !== 'string')
      return hubspotError(res, 400, 'VALIDATION_ERROR', 'eventType is required');
    const sub: Subscription = {
      id: nextId++,
      subscriptionType: body.eventType,
      ...(typeof body.propertyName === 'string' ? { propertyName: body.propertyName } : {}),
      active: body.active !== false,
      createdAt: iso(),
      updatedAt: iso(),
    };
    list().push(sub);
    res.status(201).json(sub);
  });
  router.delete('/webhooks/v3/:appId/subscriptions/:id', (req, res) => {
    if (!guard(req, res)) return;
    const index = list().findIndex((sub) => String(sub.id) === req.params.id);
    if (index < 0) return hubspotError(res, 404, 'OBJECT_NOT_FOUND', 'No such subscription.');
    list().splice(index, 1);
    res.status(204).end();
  });
  return router;
}
