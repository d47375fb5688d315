import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { parseOutboundMessage, type ParseResult } from './outbound-message.ts';

/** The only fields the route reads: a message is a hint, so its other values are never used. */
const KEPT_FIELDS = ['SystemModstamp', 'LastModifiedDate'];

/** Drops every field but the stamps, so the answer the event loop must copy back stays small. */
function slim(result: ParseResult): ParseResult {
  if (!result.ok) return result;
  return {
    ok: true,
    message: {
      ...result.message,
      notifications: result.message.notifications.map((notification) => ({
        ...notification,
        fields: Object.fromEntries(
          KEPT_FIELDS.flatMap((name) => {
            const value = notification.fields[name];
            return value === undefined ? [] : [[name, value]];
          }),
        ),
      })),
    },
  };
}

// Parsing is background work: on Linux this lowers only this thread's priority, so the event loop (health
// checks, acknowledgements) wins whenever both want the CPU. Lowering is always allowed; if not, no harm.
try {
  setPriority(19);
} catch {
  // not supported here
}

/** The parse pool's thread: validates and parses one Outbound Message body at a time, off the event loop. */
parentPort?.on('message', (job: { id: number; body: Uint8Array }) => {
  const text = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString('utf8');
  parentPort?.postMessage({ id: job.id, result: slim(parseOutboundMessage(text)) });
});
parentPort?.postMessage({ ready: true });
