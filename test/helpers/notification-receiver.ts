import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, with the raw body (signatures are over the raw bytes). */
export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Epoch ms of arrival. */
  at: number;
  /** The status the receiver answered. */
  status: number;
}

/** How the receiver answers a path: normally, with an error status for the next N requests, or never. */
export type ReceiverMode =
  | { kind: 'ok' }
  | { kind: 'fail'; status: number; times: number }
  /** Fails the first request of each `webhook-id` with `status`, answers its retry. */
  | { kind: 'fail-first'; status: number; seen: Set<string> }
  | { kind: 'hang' };

/**
 * A local stand-in for a customer's webhook endpoint and a Slack incoming webhook (no network): it keeps
 * every request, answers 200 (Slack's `ok`) unless told to fail or hang, and, like a receiver following
 * the Standard Webhooks advice, can tell which `webhook-id`s it has seen.
 */
export class NotificationReceiver {
  readonly deliveries: Delivery[] = [];
  readonly #modes = new Map<string, ReceiverMode>();
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const mode = this.#modes.get(path) ?? { kind: 'ok' };
        if (mode.kind === 'hang') return; // never answers; the sender's timeout must end it
        let status = 200;
        if (mode.kind === 'fail' && mode.times > 0) {
          status = mode.status;
          mode.times -= 1;
        }
        if (mode.kind === 'fail-first') {
          const id = String(req.headers['webhook-id']);
          if (!mode.seen.has(id)) status = mode.status;
          mode.seen.add(id);
        }
        this.deliveries.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          status,
        });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'unavailable');
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
    return this;
  }

  setMode(path: string, mode: ReceiverMode): void {
    this.#modes.set(path, mode);
  }

  /** Successful deliveries to a path. */
  received(path: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.path === path && delivery.status === 200);
  }

  clear(): void {
    this.deliveries.length = 0;
    this.#modes.clear();
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
