import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { ACK_ENVELOPE, sameOrgId, soapFault } from '../../connectors/salesforce/outbound-message.ts';
import { OutboundParsePool } from '../../connectors/salesforce/parse-pool.ts';
import { outboundChangeEvents, peekOrganizationId } from '../../connectors/salesforce/webhook.ts';
import { enqueueChangeEvents, type IngestQueue } from '../../jobs/ingest-queue.ts';
import type { LeadBridgeConfig } from '../config/schema.ts';
import type { TenantConfig } from '../config/tenant-schema.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/prometheus.ts';
import { sameSecret } from '../security/same-secret.ts';

export interface OutboundMessageRouteDeps {
  config: LeadBridgeConfig;
  ingestQueue: IngestQueue;
  metrics: Pick<Metrics, 'webhookEvents'>;
  logger: Logger;
  now?: () => Date;
  /** Where bodies are parsed (tests pass a small one); default: one worker thread, 4 waiting. */
  parsePool?: OutboundParsePool;
  /** Messages read and parsed at once; more are refused with a 503 fault before their body is read. Default 4. */
  maxInFlight?: number;
}

export const OUTBOUND_MESSAGE_PATH = '/webhooks/salesforce';

/** Largest body accepted: 100 notifications with a few dozen fields each stay far below it. */
const MAX_BODY = '2mb';

/** Salesforce posts `text/xml; charset=utf-8`; SOAP 1.2 clients use application/soap+xml. */
const XML_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'];

/**
 * `POST /webhooks/salesforce[/<secret>]`: Salesforce Outbound Messages. Outbound messages are not
 * signed, so nothing in one is trusted: the route only learns which records to look at. In order, cheapest
 * first: the path secret (when tenants set `outboundMessageSecret`), the content type and size, the org id
 * (a plain scan), and only then validation and parsing, in a worker thread with a short queue. One hint per
 * Lead or Contact notification goes on the ingest queue (kind `updated`; ingest reads deletion and
 * conversion from the API), and only then the Ack is answered. Any failure answers a SOAP fault, so
 * Salesforce retries.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_listener.htm
 */
export function outboundMessageRoutes(deps: OutboundMessageRouteDeps): Router {
  const router = Router();
  const pool = deps.parsePool ?? new OutboundParsePool();
  const maxInFlight = deps.maxInFlight ?? 4;
  let inFlight = 0;
  const count = (outcome: string, n = 1) => {
    if (n > 0) deps.metrics.webhookEvents.inc({ system: 'salesforce', outcome }, n);
  };
  const refuse = (res: Response, status: number, outcome: string, message: string, detail?: unknown) => {
    count(outcome);
    deps.logger.warn({ status, outcome, detail }, `salesforce outbound message refused: ${message}`);
    fault(res, status, status >= 500 ? 'Server' : 'Client', message);
  };

  const preflight: RequestHandler = (req, res, next) => {
    const given = typeof req.params.secret === 'string' ? req.params.secret : undefined;
    const tenants = deps.config.tenants.filter((tenant) => {
      const secret = tenant.salesforce.outboundMessageSecret;
      return given === undefined ? secret === undefined : secret !== undefined && sameSecret(given, secret);
    });
    if (tenants.length === 0) return refuse(res, 404, 'rejected_path', 'no outbound message endpoint here');
    if (!req.is(XML_TYPES)) return refuse(res, 415, 'rejected_content_type', 'expected text/xml');
    // Bounded before the body is even read: a flood of large bodies costs the event loop nothing more.
    if (inFlight >= maxInFlight)
      return refuse(res, 503, 'busy', 'temporarily unable to accept notifications; retry later');
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    res.locals.tenants = tenants;
    next();
  };

  router.post(
    [OUTBOUND_MESSAGE_PATH, `${OUTBOUND_MESSAGE_PATH}/:secret`],
    preflight,
    express.raw({ type: () => true, limit: MAX_BODY }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const tenants = res.locals.tenants as TenantConfig[];
      const peeked = peekOrganizationId(rawBody);
      const tenant = peeked && tenants.find((t) => sameOrgId(t.salesforce.orgId, peeked));
      if (!tenant) {
        deps.logger.warn({ organizationId: peeked?.slice(0, 18) }, 'outbound message from an unknown org');
        return refuse(res, 403, 'unknown_org', 'OrganizationId does not belong to a configured tenant');
      }
      const parsed = await pool.parse(rawBody);
      if (!parsed.ok) {
        if (
          parsed.reason === 'busy' ||
          parsed.reason === 'parse_timeout' ||
          parsed.reason === 'parse_crashed'
        )
          return refuse(res, 503, parsed.reason, 'temporarily unable to accept notifications', parsed.detail);
        return refuse(res, 400, parsed.reason, parsed.detail);
      }
      const { message } = parsed;
      if (!sameOrgId(tenant.salesforce.orgId, message.organizationId))
        return refuse(res, 400, 'invalid_shape', 'OrganizationId is ambiguous');
      const now = (deps.now ?? (() => new Date()))();
      const { events, unsynced, noRecord } = outboundChangeEvents(tenant.id, message, now);
      try {
        await enqueueChangeEvents(deps.ingestQueue, events);
      } catch (err) {
        count('enqueue_failed', events.length);
        deps.logger.error(
          { err, tenant: tenant.id },
          'could not enqueue outbound message; Salesforce will retry',
        );
        return fault(res, 503, 'Server', 'temporarily unable to accept notifications');
      }
      count('enqueued', events.length);
      count('unsynced_object', unsynced);
      count('no_record', noRecord);
      res.status(200).type('text/xml; charset=utf-8').send(ACK_ENVELOPE);
    },
  );

  const bodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large') return refuse(res, 413, 'rejected_too_large', 'body too large');
    if (err.status && err.status >= 400 && err.status < 500)
      return refuse(res, err.status === 415 ? 415 : 400, 'rejected_malformed', 'unreadable body', err.type);
    next(err);
  };
  router.use(OUTBOUND_MESSAGE_PATH, bodyErrors);
  return router;
}

function fault(res: Response, status: number, code: 'Client' | 'Server', message: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(soapFault(code, message));
}
