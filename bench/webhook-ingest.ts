// HubSpot webhook intake: signed batches of 10 events to `leadbridge serve` against a bare express +
// BullMQ `addBulk` receiver, each in its own process, driven by the same autocannon load in the same run.
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { computeSignature } from '../connectors/hubspot/signature.ts';
import {
  CLIENT_SECRET,
  deleteKeys,
  PORTAL_ID,
  spawnNode,
  startRig,
  waitForOutput,
  type Cli,
} from './harness.ts';
import { startLive } from './live.ts';
import { freePort } from './harness.ts';

const EVENTS_PER_REQUEST = 10;
const barePath = fileURLToPath(new URL('./bare-ingest-server.ts', import.meta.url));

let nextEventId = 1;

/** A fresh batch of property-change events (new event ids each time, so no job id repeats). */
function batchBody(): string {
  const events = Array.from({ length: EVENTS_PER_REQUEST }, () => {
    const eventId = nextEventId++;
    return {
      eventId,
      subscriptionId: 1,
      portalId: PORTAL_ID,
      appId: 1,
      occurredAt: Date.now(),
      subscriptionType: 'contact.propertyChange',
      attemptNumber: 0,
      objectId: 5_100_000_000 + (eventId % 50_000),
      propertyName: 'lifecyclestage',
      propertyValue: 'marketingqualifiedlead',
      changeSource: 'CRM_UI',
    };
  });
  return JSON.stringify(events);
}

/** Requests per second the receiver at `url` answered 200 to, under `connections` for `seconds`. */
async function load(url: string, seconds: number, connections: number): Promise<number> {
  const uri = `${url}/webhooks/hubspot`;
  const result = await autocannon({
    url: uri,
    method: 'POST',
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const body = batchBody();
          const timestamp = String(Date.now());
          const signature = computeSignature('v3', {
            clientSecret: CLIENT_SECRET,
            method: 'POST',
            uri,
            body,
            timestamp,
          });
          return {
            ...request,
            body,
            headers: {
              'content-type': 'application/json',
              'x-hubspot-request-timestamp': timestamp,
              'x-hubspot-signature-v3': signature,
            },
          };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${uri}: ${result.non2xx} non-2xx answers, ${result.errors} errors under load`);
  return result.requests.average;
}

export interface IngestSample {
  /** Requests per second through `leadbridge serve`'s signed route. */
  route: number;
  /** Requests per second through the bare receiver. */
  bare: number;
}

/** `rounds` alternating pairs (bare then route), each `seconds` long. */
export async function measureWebhookIngest(options: {
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<IngestSample[]> {
  const serverPort = await freePort();
  const rig = await startRig({ name: 'ingest' });
  const barePrefix = `${rig.prefix}-bare`;
  let bare: Cli | null = null;
  try {
    const live = await startLive(rig, { workers: 0, serverPort });
    try {
      bare = spawnNode([barePath], { ...rig.env, BENCH_PREFIX: barePrefix });
      const bareUrl = (await waitForOutput(bare, /bare listening on (\S+)/))[1]!;
      const routeUrl = `http://127.0.0.1:${serverPort}`;
      // Warm both (JIT, connections) before anything counts.
      await load(bareUrl, 1, options.connections);
      await load(routeUrl, 1, options.connections);
      const samples: IngestSample[] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        const bareRate = await load(bareUrl, options.seconds, options.connections);
        const routeRate = await load(routeUrl, options.seconds, options.connections);
        samples.push({ route: routeRate, bare: bareRate });
      }
      return samples;
    } finally {
      await bare?.stop();
      await live.stop();
    }
  } finally {
    await deleteKeys(barePrefix);
    await rig.close();
  }
}
