// The webhook baseline: the least a HubSpot webhook receiver can do, in its own process (as `leadbridge
// serve` is in its own): express parses the JSON batch and BullMQ `addBulk`s one job per event, no
// signature check, no validation. `node bench/bare-ingest-server.ts`; env REDIS_URL, BENCH_PREFIX.
import express from 'express';
import { Queue } from 'bullmq';

const queue = new Queue('bare-ingest', {
  connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null },
  prefix: process.env.BENCH_PREFIX ?? 'lbbench-bare',
  defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true },
});
queue.on('error', (error) => process.stderr.write(`queue error: ${String(error)}\n`));

interface HubSpotEvent {
  eventId: number;
  objectId: number;
  portalId: number;
  occurredAt: number;
  subscriptionType: string;
}

const app = express();
app.post('/webhooks/hubspot', express.json({ limit: '1mb' }), async (req, res) => {
  const events = req.body as HubSpotEvent[];
  await queue.addBulk(
    events.map((event) => ({
      name: event.subscriptionType,
      data: { objectId: String(event.objectId), occurredAt: event.occurredAt },
      opts: { jobId: `${event.portalId}:${event.objectId}:${event.eventId}` },
    })),
  );
  res.sendStatus(200);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void queue.close().then(() => process.exit(0));
});
