import { z } from 'zod';

/**
 * A poller's keyset position: the timestamp of the last record covered plus its id as tie-break, so
 * records that share a timestamp are never skipped. Opaque to the engine, which only stores it (after the
 * page it covers is enqueued) and hands it back; each connector encodes its own position in it.
 */
export const PollCursor = z.object({
  /** ISO-8601 instant of the last record covered. */
  modifiedAt: z.string().min(1),
  /** Id of the last record covered at that instant. */
  id: z.string(),
});
export type PollCursor = z.infer<typeof PollCursor>;
