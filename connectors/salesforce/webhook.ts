import express, { Router, type Response } from 'express';
import { enqueueChangeEvents, type IngestQueue } from '../../jobs/ingest-queue.ts';
import type { LeadBridgeConfig } from '../../src/config/schema.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { Metrics } from '../../src/metrics/prometheus.ts';
import { toIsoInstant } from './mapping.ts';
import {
  ACK_ENVELOPE,
  parseOutboundMessage,
  sameOrgId,
  soapFault,
  type OutboundNotification,
} from './outbound-message.ts';

export interface OutboundMessageRouteDeps {
  config: LeadBridgeConfig;
  ingestQueue: IngestQueue;
  metrics: Pick<Metrics, 'webhookEvents'>;
  logger: Logger;
  now?: () => Date;
}

/** Largest body accepted: 100 notifications with a few dozen fields each stay far below it. */
const MAX_BODY = '2mb';

/**
 * `POST /webhooks/salesforce`: Salesforce Outbound Messages. Checks the body (no DTDs, well-formed,
 * the WSDL's shape), refuses any org but a configured tenant's (there is no signature; the org id is
 * the check Salesforce documents), enqueues one change event per notification with the notification id
 * as dedup key, and only then answers the Ack. Any failure answers a SOAP fault, so Salesforce retries.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_listener.htm
 */
export function outboundMessageRoutes(deps: OutboundMessageRouteDeps): Router {
  const router = Router();
  const count = (outcome: string, n = 1) =>
    deps.metrics.webhookEvents.inc({ system: 'salesforce', outcome }, n);
  router.post(
    '/webhooks/salesforce',
    express.raw({ type: () => true, limit: MAX_BODY }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const parsed = parseOutboundMessage(body);
      if (!parsed.ok) {
        count(parsed.reason);
        deps.logger.warn(
          { reason: parsed.reason, detail: parsed.detail },
          'salesforce outbound message refused',
        );
        return fault(res, 400, 'Client', parsed.detail);
      }
      const { message } = parsed;
      const tenant = deps.config.tenants.find((t) => sameOrgId(t.salesforce.orgId, message.organizationId));
      if (!tenant) {
        count('unknown_org', message.notifications.length);
        deps.logger.warn(
          { organizationId: message.organizationId },
          'outbound message from an unknown org refused',
        );
        return fault(res, 403, 'Client', 'OrganizationId does not belong to a configured tenant');
      }
      const now = (deps.now ?? (() => new Date()))();
      const events = message.notifications.flatMap((n) => toChangeEvent(tenant.id, n, now));
      const empty = message.notifications.length - events.length;
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
      if (empty > 0) count('no_record', empty);
      res.status(200).type('text/xml; charset=utf-8').send(ACK_ENVELOPE);
    },
  );
  return router;
}

/**
 * One notification as a change event. A record deleted before delivery arrives without data: there is
 * nothing to point at, so it is acknowledged and left to the poller (which sees deletions via queryAll).
 */
export function toChangeEvent(tenant: string, notification: OutboundNotification, now: Date): ChangeEvent[] {
  if (!notification.objectId) return [];
  const stamp = notification.fields.SystemModstamp ?? notification.fields.LastModifiedDate;
  const occurredAt = (stamp && toIsoInstant(stamp)) || now.toISOString();
  const kind =
    notification.fields.IsDeleted === 'true'
      ? 'deleted'
      : notification.fields.IsConverted === 'true'
        ? 'converted'
        : 'updated';
  return [
    {
      tenant,
      system: 'salesforce',
      objectId: notification.objectId,
      occurredAt,
      kind,
      source: 'outbound_message',
      dedupKey: `om:${notification.notificationId}`,
    },
  ];
}

function fault(res: Response, status: number, code: 'Client' | 'Server', message: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(soapFault(code, message));
}
