import { parentPort } from 'node:worker_threads';
import { parseOutboundMessage } from './outbound-message.ts';

/** The parse pool's thread: validates and parses one Outbound Message body at a time, off the event loop. */
parentPort?.on('message', (job: { id: number; body: Uint8Array }) => {
  const text = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString('utf8');
  parentPort?.postMessage({ id: job.id, result: parseOutboundMessage(text) });
});
