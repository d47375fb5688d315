import { setFlagsFromString } from 'node:v8';

/**
 * V8 heap settings for a batch command (`leadbridge backfill`), whose live set is one reconcile batch:
 * at most 58 MB with batches of 2,000 records and 125 MB with 10,000, measured with a full GC every 2 s,
 * and 45 MB between batches, the same at the end of a backfill as at its start (nothing accumulates).
 * With V8's defaults the process held 3-8 times that (757 MB peak through 100k contacts): the young
 * generation grows to 64 MB semi-spaces (128 MB resident) as soon as a batch's records survive
 * scavenges, and the old generation may grow to up to four times what was live after a full GC.
 *
 * - `--semi-space-growth-factor=1`: the young generation stays near its starting size (1 MB
 *   semi-spaces, a few MB after full GCs); a batch's records are promoted early and freed by the next
 *   full GC.
 * - `--heap-growing-percent=50`: the next full GC starts when the heap is 1.5 times what was live
 *   after the last one. Most of what is live is the loaded code (about 40 MB: SDKs, zod schemas,
 *   BullMQ), not the batch, so every point of growth above it is resident memory that holds nothing;
 *   100 let the heap reach twice that. The cost is more full GCs: the 10k-contact backfill's wall
 *   time (bench `backfill`, loaded machine) was 13.6 s (12.0-16.6, 9 runs) against 12.8 s (12.3-13.4,
 *   5 runs) before. 75 cost nothing measurable there (14.4 s against 14.7 s, 3 paired runs) but kept
 *   less: peak through 100k contacts 234 MB against 199-202 MB with 50 and 257-279 MB before.
 *
 * Neither is a limit: a larger live set still gets the heap it needs (never an out-of-memory exit). Both
 * are read at each GC decision, so setting them at run time works; call this first, before the command's
 * modules load. Cost, 20k contacts in batches of 2,000: CPU time of the process +2 % for the first,
 * peak 444-460 -> 248-273 MB; with both (growing 100 %), peak through 100k contacts 244 MB. 100k
 * contacts with the run's id sets off the heap (jobs/compact-string-map.ts), one run each on a loaded
 * machine: growing 100 % peak 240 MB (heap at most 122 MB), 75 % 231 MB (96 MB), 50 % 220 MB (87 MB).
 * `serve`, `worker` and `start` keep V8's defaults: their throughput targets want the larger young
 * generation.
 */
export function useBatchHeapSettings(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=50');
}
