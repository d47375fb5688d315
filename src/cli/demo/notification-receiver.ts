import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { NotificationEvent } from '../../domain/notification-event.ts';

/** One notification the demo's receiver got. */
export interface DemoDelivery {
  channel: 'webhook' | 'slack';
  /** What it said: the webhook's event type and lead, or Slack's text. */
  text: string;
  /** Webhook only: the Standard Webhooks signature checked out. */
  verified?: boolean;
}

export interface DemoReceiver {
  url: string;
  /** `whsec_…`, the secret the demo's webhook channel signs with. */
  secret: string;
  deliveries: DemoDelivery[];
  close(): Promise<void>;
}

/**
 * Stands in for a customer's webhook endpoint (`/webhook`, verifying each signature as a receiver would)
 * and a Slack incoming webhook (`/slack`), on 127.0.0.1, so the demo shows its notifications with no network.
 */
export async function startDemoReceiver(): Promise<DemoReceiver> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const deliveries: DemoDelivery[] = [];
  const verifier = new Webhook(secret);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (req.url === '/webhook') {
          let verified = true;
          let payload: unknown;
          try {
            payload = verifier.verify(body, req.headers as Record<string, string>);
          } catch {
            verified = false;
            payload = JSON.parse(body);
          }
          const event = NotificationEvent.parse(payload);
          const who = event.lead.name ?? event.lead.email ?? event.leadKey;
          const owner = event.owner ? `, owner ${event.owner.name ?? event.owner.id}` : '';
          const reason = event.reason ? ` ('${event.reason}')` : '';
          deliveries.push({ channel: 'webhook', text: `${event.type}: ${who}${owner}${reason}`, verified });
        } else {
          deliveries.push({ channel: 'slack', text: String((JSON.parse(body) as { text?: unknown }).text) });
        }
        res.writeHead(200).end('ok');
      } catch {
        res.writeHead(400).end('bad payload');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secret,
    deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
